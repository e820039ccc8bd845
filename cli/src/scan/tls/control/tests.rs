//! The control servers and the raw ClientHello parser.
use super::raw::{RawControl, parse_client_hello, server_hello};
use super::*;
use crate::scan::tls::hello::{self as tls_hello, Answer};

#[test]
fn parses_our_client_hello() {
    // (case, servername, version, suites)
    let cases: &[(&str, Option<&str>, u16, &[u16])] = &[
        (
            "TLS 1.2 RC4-MD5 with SNI",
            Some("a.test"),
            0x0303,
            &[0x0004],
        ),
        ("TLS 1.2 two suites", None, 0x0303, &[0xc02f, 0x000a]),
        (
            "SSLv3 (no extensions)",
            Some("ignored.test"),
            0x0300,
            &[0x0004, 0x0005],
        ),
    ];
    for (case, name, version, suites) in cases {
        let hello = parse_client_hello(&tls_hello::client_hello(*name, *version, suites))
            .unwrap_or_else(|e| panic!("{case}: {e:#}"));
        assert_eq!(hello.version, *version, "{case}");
        assert_eq!(&hello.suites, suites, "{case}");
        let sni = if *version == 0x0300 { None } else { *name };
        assert_eq!(hello.servername.as_deref(), sni, "{case}");
        let record = if *version == 0x0300 { 0x0300 } else { 0x0301 };
        assert_eq!(hello.record_version, record, "{case}");
    }
}

#[test]
fn rejects_malformed_client_hellos() {
    let good = tls_hello::client_hello(Some("a.test"), 0x0303, &[0x0004]);
    let mut long = good.clone();
    long.push(0);
    let mut odd = good.clone();
    // Suite list length 2 → 3 (offset: record 5, handshake 4, version 2, random 32, sid 1).
    odd[5 + 4 + 2 + 32 + 1 + 1] = 3;
    let mut alert = good.clone();
    alert[0] = 0x15;
    let cases: &[(&str, &[u8])] = &[
        ("cut short", &good[..good.len() - 1]),
        ("a byte too many", &long),
        ("odd suite list", &odd),
        ("not a handshake", &alert),
        ("empty", &[]),
    ];
    for (case, bytes) in cases {
        assert!(parse_client_hello(bytes).is_err(), "{case} was accepted");
    }
    assert!(parse_client_hello(&good).is_ok());
}

#[test]
fn raw_probe_round_trip_with_the_control_server() {
    // (case, versions the control accepts, suites it accepts, version offered, suites
    // offered, answer wanted)
    type Case<'a> = (&'a str, &'a [u16], &'a [u16], u16, &'a [u16], Answer);
    let cases: &[Case] = &[
        (
            "RC4-MD5 over SSLv3",
            &[0x0300],
            &[0x0004],
            0x0300,
            &[0x0004],
            Answer::Accepted(0x0300),
        ),
        (
            "RC4-MD5 over TLS 1.2",
            &[0x0303],
            &[0x0004],
            0x0303,
            &[0x0004],
            Answer::Accepted(0x0303),
        ),
        (
            "first accepted of several",
            &[0x0303],
            &[0x000a],
            0x0303,
            &[0x0005, 0x000a],
            Answer::Accepted(0x0303),
        ),
        (
            "suite not accepted",
            &[0x0303],
            &[0x0005],
            0x0303,
            &[0x0004],
            Answer::Refused,
        ),
        (
            "version not accepted",
            &[0x0303],
            &[0x0004],
            0x0300,
            &[0x0004],
            Answer::Refused,
        ),
        (
            "accepts nothing",
            &[],
            &[],
            0x0303,
            &[0x0004],
            Answer::Refused,
        ),
    ];
    for (case, versions, accepted, version, offered, want) in cases {
        let control = RawControl::start(versions, accepted).unwrap();
        let answer = tls_hello::probe(control.addr(), Some("a.test"), *version, offered)
            .unwrap_or_else(|e| panic!("{case}: {e:#}"));
        assert_eq!(answer, *want, "{case}");
        let hello = control.finish().unwrap_or_else(|e| panic!("{case}: {e:#}"));
        assert_eq!(&hello.suites, offered, "{case}");
    }
}

#[test]
fn server_hello_is_read_by_the_probe_parser() {
    let record = server_hello(0x0303, 0xc02f);
    assert_eq!(&record[..3], &[0x16, 0x03, 0x03]);
    assert_eq!(
        usize::from(u16::from_be_bytes([record[3], record[4]])),
        record.len() - 5
    );
    // Handshake type 2, its 3-byte length, then the version, as tls_hello::probe reads it.
    assert_eq!(record[5], 0x02);
    assert_eq!(usize::from(record[8]), record.len() - 9);
    assert_eq!(&record[9..11], &[0x03, 0x03]);
    assert_eq!(&record[5 + 39..5 + 41], &[0xc0, 0x2f]);
}

#[test]
fn accept_port_reads_s_server_output() {
    assert_eq!(
        accept_port("Using default temp DH parameters\nACCEPT 127.0.0.1:38225\n"),
        Some(38225)
    );
    assert_eq!(accept_port("ACCEPT [::]:4433"), Some(4433));
    assert_eq!(accept_port("error"), None);
}
