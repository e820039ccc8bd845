//! The scan's judgement and its controls.

use std::process::Command;

use super::control::{OpensslServers, RawControl};
use super::probe::Probe;
use super::session::{temp_key, temp_key_bits};
use super::*;
use crate::finding::Severity;

fn on() -> Found {
    Found::Offered(String::new())
}
fn off() -> Found {
    Found::NotOffered(String::new())
}
fn untested() -> Found {
    Found::NotTested("client lacks it".into())
}

#[test]
fn judge_follows_what_the_seeds_want() {
    // (row, found, want, judged)
    let cases = [
        (
            "offered, wanted refused",
            on(),
            Want::NotOffered,
            Some(false),
        ),
        (
            "refused, wanted refused",
            off(),
            Want::NotOffered,
            Some(true),
        ),
        ("refused, wanted offered", off(), Want::Offered, Some(false)),
        ("offered, wanted offered", on(), Want::Offered, Some(true)),
        ("offered, either", on(), Want::Either, Some(true)),
        ("refused, either", off(), Want::Either, Some(true)),
        (
            "not tested, wanted refused",
            untested(),
            Want::NotOffered,
            Some(false),
        ),
        (
            "not tested, wanted offered",
            untested(),
            Want::Offered,
            Some(false),
        ),
        ("not tested, either", untested(), Want::Either, None),
    ];
    for (case, found, want, judged) in cases {
        assert_eq!(judge(&found, want), judged, "{case}");
    }
}

#[test]
fn untested_rows_fail_the_report_unless_either() {
    // (row, found, want, in `not_as_wanted`, table verdict)
    let cases = [
        ("TLS 1", untested(), Want::NotOffered, true, "NO"),
        ("TLS 1.2", untested(), Want::Offered, true, "NO"),
        ("TLS 1.3", untested(), Want::Either, false, "-"),
        ("RC4-MD5", off(), Want::NotOffered, false, "yes"),
    ];
    for (name, found, want, listed, verdict) in cases {
        let report = Report {
            target: "t".into(),
            client: "c".into(),
            sections: vec![Section::new(
                "S",
                vec![row(name, "", found, want, PROTOCOL)],
            )],
        };
        assert_eq!(
            report.not_as_wanted().contains(&name.to_owned()),
            listed,
            "{name}"
        );
        let table = report.render();
        let line = table
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name}: no line in {table}"));
        assert_eq!(
            line.split_whitespace().last(),
            Some(verdict),
            "{name}: {line}"
        );
    }
}

#[test]
fn refusals_stand_only_with_an_accepted_control() {
    // (row, found, want, control, kind of finding wanted, control run)
    let failed = || Control::Failed("sslv3 alert handshake failure".into());
    let cases = [
        (
            "TLS 1 control accepted",
            off(),
            Want::NotOffered,
            Control::Accepted,
            "not offered",
            true,
        ),
        (
            "TLS 1 control failed",
            off(),
            Want::NotOffered,
            failed(),
            "not tested",
            true,
        ),
        (
            "refused, either: no control",
            off(),
            Want::Either,
            failed(),
            "not offered",
            false,
        ),
        (
            "refused, wanted offered: no control",
            off(),
            Want::Offered,
            failed(),
            "not offered",
            false,
        ),
        (
            "offered: no control",
            on(),
            Want::NotOffered,
            failed(),
            "offered",
            false,
        ),
        (
            "untested: no control",
            untested(),
            Want::NotOffered,
            Control::Accepted,
            "not tested",
            false,
        ),
    ];
    for (case, found, want, control, kind, runs) in cases {
        let ran = std::cell::Cell::new(false);
        let found = controlled(found, want, || {
            ran.set(true);
            control.clone()
        });
        let got = match &found {
            Found::Offered(_) => "offered",
            Found::NotOffered(_) => "not offered",
            Found::NotTested(_) => "not tested",
        };
        assert_eq!(got, kind, "{case}: {found:?}");
        assert_eq!(ran.get(), runs, "{case}");
        if runs {
            let how = match &found {
                Found::NotOffered(how) | Found::NotTested(how) | Found::Offered(how) => how,
            };
            let said = if control == Control::Accepted {
                "control accepted"
            } else {
                "control failed: sslv3"
            };
            assert!(how.contains(said), "{case}: {how}");
        }
    }
}

/// A probe of `target` as the scan makes it, the raw ClientHello trusted.
fn probe_of(target: &str) -> Probe<'_> {
    let mut probe = Probe::new(target, target, Some("a.test"));
    probe.raw_trusted = true;
    probe
}

#[test]
fn raw_refusals_need_the_raw_control() {
    // (row, version, suites, control: true = the in-process control that accepts them,
    // false = a control that refuses everything, as if our ClientHello lacked them)
    let cases: &[(&str, u16, &[u16], bool)] = &[
        ("RC4-MD5", 0x0303, &[0x0004], true),
        ("RC4-MD5", 0x0303, &[0x0004], false),
        ("SSLv3", 0x0300, SSL3_SUITES, true),
        ("SSLv3", 0x0300, SSL3_SUITES, false),
    ];
    for (name, version, suites, control_accepts) in cases {
        let case = format!(
            "{name} with a control that {}",
            if *control_accepts {
                "accepts"
            } else {
                "refuses"
            }
        );
        // The target refuses everything.
        let target = RawControl::start(&[], &[]).unwrap();
        let broken = RawControl::start(&[], &[]).unwrap();
        let mut probe = probe_of(target.addr());
        if !control_accepts {
            probe.control_at = Some(broken.addr().to_owned());
        }
        let found = probe
            .raw_row(*version, suites, Want::NotOffered)
            .unwrap_or_else(|e| panic!("{case}: {e:#}"));
        let row = row(name, "", found, Want::NotOffered, WEAK_SUITE);
        let report = Report {
            target: "t".into(),
            client: "c".into(),
            sections: vec![Section::new("S", vec![row])],
        };
        let row = &report.sections[0].rows[0];
        if *control_accepts {
            assert_eq!(
                row.found,
                Found::NotOffered("raw, refused; control accepted".into()),
                "{case}"
            );
            assert_eq!(row.ok, Some(true), "{case}");
            assert!(report.not_as_wanted().is_empty(), "{case}");
        } else {
            assert!(
                matches!(&row.found, Found::NotTested(why) if why.contains("control failed")),
                "{case}: {:?}",
                row.found
            );
            assert_eq!(row.ok, Some(false), "{case}");
            assert_eq!(report.not_as_wanted(), vec![name.to_string()], "{case}");
            assert!(
                report.render().contains("NOT as the seed guidelines want"),
                "{case}"
            );
            drop(broken.finish());
        }
        assert_eq!(target.finish().unwrap().suites, *suites, "{case}");
    }
}

#[test]
fn openssl_refusals_need_the_openssl_control() {
    // The scan needs the openssl command line (`ensure_openssl` installs it): no skip.
    assert!(
        Command::new("openssl").arg("version").output().is_ok(),
        "no openssl command: apt-get install openssl"
    );
    let mut targets = OpensslServers::default();
    let target = targets
        .start_with(&["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"])
        .unwrap();
    // (row, control pointed at the target, which refuses it (a client that cannot offer
    // it), found wanted, judged)
    let cases = [
        ("TLS 1", false, "not offered", Some(true)),
        ("TLS 1", true, "not tested", Some(false)),
        ("AES128-SHA", false, "not offered", Some(true)),
        ("AES128-SHA", true, "not tested", Some(false)),
        (
            "DHE-DSS-AES128-GCM-SHA256",
            false,
            "not offered",
            Some(true),
        ),
        ("ECDHE-RSA-AES128-GCM-SHA256", true, "offered", Some(true)),
        (
            "client-initiated renegotiation",
            false,
            "not offered",
            Some(true),
        ),
    ];
    for (name, broken, kind, ok) in cases {
        let case = format!("{name}{}", if broken { " (control refuses)" } else { "" });
        let mut probe = probe_of(&target);
        if broken {
            probe.control_at = Some(target.clone());
        }
        let row = match name {
            "TLS 1" => probe.protocol(name, "-tls1", "TLSv1", Want::NotOffered),
            "client-initiated renegotiation" => probe.renegotiation(),
            suite => probe.suite(suite, None).unwrap(),
        };
        let got = match &row.found {
            Found::Offered(_) => "offered",
            Found::NotOffered(how) => {
                assert!(how.ends_with("control accepted"), "{case}: {how}");
                "not offered"
            }
            Found::NotTested(_) => "not tested",
        };
        assert_eq!(got, kind, "{case}: {:?}", row.found);
        assert_eq!(row.ok, ok, "{case}: {:?}", row.found);
    }
}

#[test]
fn temp_key_reads_openssl_output() {
    let out = "x\nServer Temp Key: DH, 1024 bits\ny";
    assert_eq!(temp_key_bits(out), Some(1024));
    assert_eq!(
        temp_key("Server Temp Key: X25519, 253 bits").as_deref(),
        Some("X25519, 253 bits")
    );
    assert_eq!(temp_key_bits("none"), None);
}

#[test]
fn findings_name_the_guideline_of_each_row_not_as_wanted() {
    // (row, class, found, want, check, finding wanted: (rule, guideline, severity) or none)
    let dh_weak = {
        let mut r = row(
            "DHE-RSA-AES128-GCM-SHA256",
            "strong if DH 2048+",
            on(),
            Want::Either,
            DH_SIZE,
        );
        r.ok = Some(false);
        r
    };
    let rows = vec![
        (
            row("TLS 1", "", on(), Want::NotOffered, PROTOCOL),
            Some(("tls-protocol-version", "P8", Severity::Error)),
        ),
        (
            row("TLS 1.2", "", off(), Want::Offered, PROTOCOL),
            Some(("tls-protocol-version", "P8", Severity::Error)),
        ),
        (row("TLS 1.1", "", off(), Want::NotOffered, PROTOCOL), None),
        (
            row("RC4-MD5", "weak: RC4", on(), Want::NotOffered, WEAK_SUITE),
            Some(("tls-weak-cipher-suite", "P8", Severity::Error)),
        ),
        (
            row(
                "ECDHE-RSA-AES128-SHA",
                "CBC",
                on(),
                Want::NotOffered,
                CBC_SUITE,
            ),
            Some(("tls-cbc-cipher-suite", "P8", Severity::Warning)),
        ),
        (dh_weak, Some(("tls-dh-size", "P13", Severity::Error))),
        (
            row(
                "client-initiated renegotiation",
                "",
                on(),
                Want::NotOffered,
                RENEGOTIATION,
            ),
            Some(("tls-client-renegotiation", "P14", Severity::Error)),
        ),
        (
            row(
                "server key and signature",
                "",
                untested(),
                Want::Either,
                KEY,
            ),
            Some(("tls-key-and-signature", "P2", Severity::Warning)),
        ),
        (
            row(
                "DES-CBC3-SHA",
                "weak: 3DES",
                untested(),
                Want::NotOffered,
                WEAK_SUITE,
            ),
            Some(("tls-weak-cipher-suite", "P8", Severity::Warning)),
        ),
        (
            row(
                "key exchange group X25519",
                "TLS 1.3",
                on(),
                Want::Either,
                GROUP,
            ),
            None,
        ),
    ];
    for (r, wanted) in rows {
        let name = r.name.clone();
        let report = Report {
            target: "127.0.0.1:1".into(),
            client: "c".into(),
            sections: vec![Section::new("S", vec![r])],
        };
        let findings = report.findings();
        let got = findings.first().map(|f| (f.rule, f.guideline, f.severity));
        assert_eq!(got, wanted, "{name}: {findings:?}");
        if let Some(f) = findings.first() {
            assert_eq!(f.location, "127.0.0.1:1", "{name}");
            assert_eq!(f.path, name, "{name}");
            assert!(f.message.starts_with(&name), "{name}: {}", f.message);
            assert!(crate::guidelines::find(f.guideline).is_some(), "{name}");
        }
    }
}

#[test]
fn scan_fails_on_an_unreachable_or_unknown_target() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let target = format!("127.0.0.1:{port}");
    let err = scan(&target, None).unwrap_err();
    assert!(matches!(err, ScanError::Unreachable { .. }), "{err}");
    let finding = err.finding();
    assert_eq!(
        (finding.rule, finding.location.as_str()),
        ("tls-scan-failed", target.as_str())
    );
    let err = scan("no port here", None).unwrap_err();
    assert!(matches!(err, ScanError::BadTarget { .. }), "{err}");
}
