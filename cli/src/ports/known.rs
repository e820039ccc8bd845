//! The WSO2 products' default ports (guideline P4), clustering ports (O4) and the stores' ports
//! (P6), with their source: one table for the lint and the port audit.

/// What a port is to a WSO2 product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    /// A product's default port (change it: P4).
    Product,
    /// A pass-through (Synapse) transport port of API Manager or Micro Integrator (P4, and P9
    /// for its TLS).
    PassThrough,
    /// A clustering port (restrict it to cluster members: O4).
    Clustering,
    /// A store the product connects to (LDAP, database): TLS required (P6).
    Store,
}

/// One known port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownPort {
    /// The TCP port.
    pub port: u16,
    /// What it is.
    pub kind: PortKind,
    /// Who listens there, and where WSO2 documents it.
    pub what: &'static str,
}

const fn p(port: u16, kind: PortKind, what: &'static str) -> KnownPort {
    KnownPort { port, kind, what }
}

/// The table. Sources: WSO2 "Default Ports of WSO2 Products" (docs.wso2.com, Carbon and
/// product tables), the API Manager 4.x and Micro Integrator 4.x "Default ports" pages, the
/// seed guidelines (P4, O4); store ports are the databases' and LDAP's IANA ports.
pub const PORTS: &[KnownPort] = &[
    p(
        9443,
        PortKind::Product,
        "Carbon HTTPS servlet transport (management console, REST APIs)",
    ),
    p(9763, PortKind::Product, "Carbon HTTP servlet transport"),
    p(
        8243,
        PortKind::PassThrough,
        "API Manager / MI pass-through HTTPS (API gateway)",
    ),
    p(
        8280,
        PortKind::PassThrough,
        "API Manager / MI pass-through HTTP (API gateway)",
    ),
    p(
        8253,
        PortKind::PassThrough,
        "Micro Integrator pass-through HTTPS",
    ),
    p(
        8290,
        PortKind::PassThrough,
        "Micro Integrator pass-through HTTP",
    ),
    p(9164, PortKind::Product, "Micro Integrator management API"),
    p(9999, PortKind::Product, "JMX RMI server"),
    p(11111, PortKind::Product, "JMX RMI registry"),
    p(
        9611,
        PortKind::Product,
        "API Manager event receiver (Thrift/binary, TCP)",
    ),
    p(
        9711,
        PortKind::Product,
        "API Manager event receiver (Thrift/binary, SSL)",
    ),
    p(9099, PortKind::Product, "API Manager WebSocket gateway"),
    p(
        8099,
        PortKind::Product,
        "API Manager WebSocket gateway over TLS",
    ),
    p(
        5672,
        PortKind::Product,
        "API Manager traffic manager AMQP (JMS)",
    ),
    p(
        4000,
        PortKind::Clustering,
        "Carbon clustering (well-known-address membership)",
    ),
    p(
        4001,
        PortKind::Clustering,
        "Carbon clustering (second member on one host)",
    ),
    p(
        45564,
        PortKind::Clustering,
        "Carbon clustering multicast membership",
    ),
    p(5701, PortKind::Clustering, "Hazelcast cluster member"),
    p(389, PortKind::Store, "LDAP"),
    p(636, PortKind::Store, "LDAPS"),
    p(3306, PortKind::Store, "MySQL"),
    p(5432, PortKind::Store, "PostgreSQL"),
    p(1433, PortKind::Store, "Microsoft SQL Server"),
    p(1521, PortKind::Store, "Oracle Database"),
    p(27017, PortKind::Store, "MongoDB"),
];

/// The known port, if any (`port` as Envoy writes it: a `uint32`).
pub fn lookup(port: u32) -> Option<&'static KnownPort> {
    PORTS.iter().find(|k| u32::from(k.port) == port)
}

/// The ports the guidelines name on the product's hosts: every default, pass-through (P4) and
/// clustering (O4) port, ascending (stores' ports are not the product's).
pub fn guideline_ports() -> Vec<u16> {
    let mut ports: Vec<u16> = PORTS
        .iter()
        .filter(|k| k.kind != PortKind::Store)
        .map(|k| k.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
