//! The port audit against listeners on ephemeral loopback ports, and its judgement as a table.

use std::net::{Ipv4Addr, Ipv6Addr, TcpListener};

use super::*;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A port that was free a moment ago: nothing listens there.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn scan_finds_open_unexpected_and_expected_but_closed_ports() {
    let expected_open = TcpListener::bind("127.0.0.1:0").unwrap();
    let unexpected_open = TcpListener::bind("127.0.0.1:0").unwrap();
    let (a, b) = (
        expected_open.local_addr().unwrap().port(),
        unexpected_open.local_addr().unwrap().port(),
    );
    let (closed_expected, closed) = (closed_port(), closed_port());
    let ports = [a, b, closed_expected, closed];
    let report = scan(LOOPBACK, &ports, &[a, closed_expected], &Options::default()).unwrap();
    let mut open = vec![a, b];
    open.sort_unstable();
    assert_eq!(report.open, open);
    // (port, rule wanted, guideline, severity); `a` (expected and open) and `closed` make none.
    let mut wanted = vec![
        (b, "port-unexpected-open", "N3", Severity::Error),
        (
            closed_expected,
            "port-expected-closed",
            "N3",
            Severity::Warning,
        ),
    ];
    wanted.sort_unstable_by_key(|w| w.0);
    let got: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.location.clone(), f.rule, f.guideline, f.severity))
        .collect();
    let wanted: Vec<_> = wanted
        .into_iter()
        .map(|(p, r, g, s)| (format!("127.0.0.1:{p}"), r, g, s))
        .collect();
    assert_eq!(got, wanted);
}

#[test]
fn judge_flags_product_and_clustering_ports() {
    // (row, open, expected, findings wanted as (port, rule))
    type Case = (
        &'static str,
        &'static [u16],
        &'static [u16],
        &'static [(u16, &'static str)],
    );
    let cases: &[Case] = &[
        (
            "9443 open, expected",
            &[9443],
            &[9443],
            &[(9443, "port-product-default")],
        ),
        (
            "9443 open, not expected",
            &[9443],
            &[],
            &[
                (9443, "port-product-default"),
                (9443, "port-unexpected-open"),
            ],
        ),
        (
            "4000 open, expected",
            &[4000],
            &[4000],
            &[(4000, "port-clustering")],
        ),
        (
            "45564 open, not expected",
            &[45564],
            &[],
            &[(45564, "port-clustering"), (45564, "port-unexpected-open")],
        ),
        ("10443 open, expected", &[10443], &[10443], &[]),
        (
            "8243 expected, closed",
            &[],
            &[8243],
            &[(8243, "port-expected-closed")],
        ),
        ("an expected port not scanned", &[], &[60000], &[]),
    ];
    let scanned = default_ports()
        .into_iter()
        .chain([10443])
        .collect::<Vec<_>>();
    for (row, open, expected, wanted) in cases {
        let got: Vec<(String, &str)> = judge(LOOPBACK, &scanned, open, expected)
            .iter()
            .map(|f| (f.location.clone(), f.rule))
            .collect();
        let wanted: Vec<(String, &str)> = wanted
            .iter()
            .map(|(p, r)| (format!("127.0.0.1:{p}"), *r))
            .collect();
        assert_eq!(got, wanted, "{row}");
    }
    let f = judge(LOOPBACK, &scanned, &[9443], &[]);
    assert_eq!((f[0].guideline, f[1].guideline), ("P4", "N3"));
    assert_eq!(
        judge(LOOPBACK, &scanned, &[4000], &[4000])[0].guideline,
        "O4"
    );
}

#[test]
fn public_hosts_are_refused_unless_allowed() {
    // (host, own network)
    let cases: [(IpAddr, bool); 9] = [
        (LOOPBACK, true),
        (Ipv4Addr::new(10, 1, 2, 3).into(), true),
        (Ipv4Addr::new(172, 16, 0, 1).into(), true),
        (Ipv4Addr::new(172, 32, 0, 1).into(), false),
        (Ipv4Addr::new(192, 168, 1, 1).into(), true),
        (Ipv4Addr::new(8, 8, 8, 8).into(), false),
        (Ipv6Addr::LOCALHOST.into(), true),
        ("fd00::1".parse::<Ipv6Addr>().unwrap().into(), true),
        ("2001:db8::1".parse::<Ipv6Addr>().unwrap().into(), false),
    ];
    for (host, own) in cases {
        assert_eq!(is_own_network(host), own, "{host}");
    }
    let public: IpAddr = Ipv4Addr::new(8, 8, 8, 8).into();
    assert_eq!(
        scan(public, &[443], &[], &Options::default()),
        Err(PortError::PublicHost(public))
    );
}

#[test]
fn port_lists_parse() {
    // (spec, ports wanted or None for an error)
    let cases: &[(&str, Option<&[u16]>)] = &[
        ("22", Some(&[22])),
        ("443,22,22", Some(&[22, 443])),
        ("1-3, 9443", Some(&[1, 2, 3, 9443])),
        ("0", None),
        ("65536", None),
        ("5-1", None),
        ("", None),
        ("a-b", None),
    ];
    for (spec, wanted) in cases {
        let got = parse_ports(spec);
        match wanted {
            Some(ports) => assert_eq!(got.as_deref(), Ok(*ports), "{spec}"),
            None => assert!(got.is_err(), "{spec}: {got:?}"),
        }
    }
    assert_eq!(parse_ports("1-65535").unwrap().len(), 65535);
    let defaults = default_ports();
    assert!(defaults.contains(&1024) && defaults.contains(&9443) && defaults.contains(&45564));
    assert!(!defaults.contains(&1025));
}
