//! The 38 guidelines of the seed documents (WSO2 "Security Guidelines for Production
//! Deployment", the Micro Integrator's "Production Deployment Guidelines" and "Network-Level
//! Security Guidelines"), numbered P1-P22 (product), O1-O9 (operating system) and N1-N7
//! (network) as in the project's `guidelines.md`, with what a gateway in front of the product
//! can take of each.
//!
//! This table is the one source of the ids: lint findings, the audit report's rows and the
//! README's guideline table (`gateway-hardening guidelines --markdown`) all read it.

use serde::Serialize;

/// What a gateway can take of a guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// A filter enforces it on every request (and the audit probes it).
    Enforce,
    /// The lint or a scan checks it; the fix is the operator's.
    Check,
    /// The shipped example shows how (failover, logging); the lint checks the configuration.
    Example,
    /// Only the operator can meet it: the gateway sees nothing of it.
    Operator,
}

impl Part {
    /// The word the reports and the README use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Part::Enforce => "enforce",
            Part::Check => "check",
            Part::Example => "example",
            Part::Operator => "operator",
        }
    }
}

/// One guideline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Guideline {
    /// `P1`..`P22`, `O1`..`O9`, `N1`..`N7`.
    pub id: &'static str,
    /// The guideline in a line, as the seeds say it.
    pub title: &'static str,
    /// What a gateway can take of it.
    pub part: Part,
    /// What this project does for it (the filter, the lint rule, the scan), or, for
    /// [`Part::Operator`], why a gateway cannot.
    pub gateway: &'static str,
    /// What the operator does to meet it (for every guideline: the gateway's part is never all).
    pub operator: &'static str,
}

macro_rules! guidelines {
    ($( $id:literal, $part:ident, $title:literal, $gateway:literal, $operator:literal; )*) => {
        /// Every guideline, in the order of `guidelines.md`.
        pub const ALL: &[Guideline] = &[
            $( Guideline { id: $id, title: $title, part: Part::$part, gateway: $gateway, operator: $operator }, )*
        ];
    };
}

guidelines! {
    "P1", Operator, "Apply security updates",
        "The gateway cannot see the product's update level; this project keeps its own Envoy pin current.",
        "Apply WSO2 security updates (WUM / Update 2.0) and track the advisories.";
    "P2", Check, "Change the default keystores: own keys of 2048 bits or more, SHA-256, no WSO2 default certificates",
        "tls-guard refuses upstreams presenting a WSO2 default certificate; the lint reads every certificate a configuration references; the TLS scan reads the listener's key and signature.",
        "Create your own keystore and truststore (RSA 2048+ or EC P-256+, SHA-256 signatures) and remove wso2carbon.";
    "P3", Operator, "Encrypt passwords in configuration files (Secure Vault)",
        "The product's configuration files are not the gateway's; our plugin configurations hold no secrets.",
        "Run the cipher tool so that deployment.toml holds Secure Vault aliases, not passwords.";
    "P4", Check, "Change the default ports (9443, 9763, 8243, 8280, 8290, 8253, 9999, ...)",
        "The lint flags listeners and clusters on the products' default ports; the port audit flags them open.",
        "Set a port offset or your own ports in deployment.toml and expose only the gateway.";
    "P5", Operator, "Read-only access to external user stores",
        "The user store connection does not pass through the gateway.",
        "Configure the LDAP/JDBC user store with a read-only account where the product only reads users.";
    "P6", Enforce, "Communicate with external stores and services over TLS",
        "tls-guard refuses a plaintext or pre-TLS 1.2 upstream; the lint flags clusters to the product or to stores without TLS.",
        "Use TLS (LDAPS, JDBC with TLS) for every store the product talks to.";
    "P7", Operator, "Connect to data stores as a less privileged user",
        "Database credentials are the product's, not the gateway's.",
        "Give the product's database user only the grants it needs (no DDL at run time).";
    "P8", Enforce, "Strong HTTPS: TLS 1.2 or later, no SSL, TLS 1.0 or 1.1; no DES/3DES, MD5, RC4, DSS, non-PFS suites; GCM over CBC",
        "tls-guard enforces a minimum version and a cipher allowlist; the lint reads every TLS context; the TLS scan tries every version and suite.",
        "Keep the product's own HTTPS connectors at TLS 1.2+ with the same suites for clients that reach it directly.";
    "P9", Enforce, "Remove weak ciphers from the PassThrough transport",
        "As P8, for the API Manager / Micro Integrator pass-through listeners the gateway terminates.",
        "Set the PassThrough transport's PreferredCiphers in deployment.toml.";
    "P10", Enforce, "Change the HTTP Server header",
        "header-hardening removes or replaces `Server`; the lint checks server_header_transformation; the header scan reads what clients see.",
        "Set the product's server header too (deployment.toml [transport.https.properties] server).";
    "P11", Enforce, "HSTS on every application, the management console included",
        "header-hardening adds Strict-Transport-Security on TLS answers; the lint and the header scan check it.",
        "None beyond the gateway for proxied applications; the product's own HSTS filter for direct access.";
    "P12", Enforce, "Prevent browser caching of dynamic pages with sensitive information",
        "header-hardening sets Cache-Control: no-store on dynamic answers; the header scan checks it.",
        "Keep the product's cache headers too for any path that bypasses the gateway.";
    "P13", Enforce, "Ephemeral Diffie-Hellman keys of 2048 bits or more",
        "The example listeners offer ECDHE only; the lint reads the cipher suites; the TLS scan measures the DH size.",
        "Set jdk.tls.ephemeralDHKeySize=2048 on the product's JVM.";
    "P14", Check, "Disable client-initiated renegotiation",
        "The TLS scan tries a client-initiated renegotiation (Envoy never allows one).",
        "Set jdk.tls.rejectClientInitiatedRenegotiation=true on the product's JVM.";
    "P15", Enforce, "Hostname verification in strict mode",
        "tls-guard makes the SNI match :authority; the lint flags upstream TLS without SAN or CA validation.",
        "Set httpclient.hostnameVerifier=Strict (the default in current products).";
    "P16", Enforce, "Additional XSS protection (input validation)",
        "header-hardening adds CSP and the OWASP header set and validates request input; the header scan grades them.",
        "Enable the product's XSS valve and input validation for direct access.";
    "P17", Enforce, "Increase the JSESSIONID length",
        "header-hardening checks session id strength and cookie attributes (Secure, HttpOnly, SameSite).",
        "Set sessionIdLength in the product's context.xml.";
    "P18", Enforce, "Change the default admin credentials (admin:admin)",
        "header-hardening refuses the default credentials wherever the product accepts them; the audit probes it.",
        "Change the admin user's password in deployment.toml before the first start.";
    "P19", Enforce, "Restrict access to the management console",
        "context-allowlist and tls-guard allow the admin contexts only from internal sources or with a client certificate; the audit probes it in several encodings.",
        "Keep the management console's port off every network but the administrators'.";
    "P20", Example, "Log rotation and monitoring",
        "The example writes an access log and metrics; the lint checks that listeners log.",
        "Rotate the product's and the gateway's logs and watch them (logrotate, Prometheus alerts).";
    "P21", Enforce, "Prevent log forging (a UUID in each log line)",
        "The filters log the request id with control characters escaped; the lint checks the access log carries the request id.",
        "Add the correlation id to the product's log4j2 pattern.";
    "P22", Operator, "Appropriate JVM parameters",
        "JVM settings are not visible to the gateway.",
        "Size the heap and set the TLS system properties of P13 and P14 in the product's start script.";
    "O1", Operator, "Run the product as a dedicated OS user, not root",
        "The product's OS user is not visible to the gateway; our own tools never need root.",
        "Create a dedicated user without a login shell to run the product.";
    "O2", Operator, "Minimise installed software",
        "The hosts' packages are not visible to the gateway.",
        "Remove packages the product does not need.";
    "O3", Operator, "Enable an OS firewall; open only the required ports",
        "The port audit shows what is open; the firewall is the operator's.",
        "Allow only the gateway's listeners from outside (nftables, security groups).";
    "O4", Check, "Restrict clustering ports (4000, 4001, ...) to cluster members",
        "The lint flags listeners and clusters on clustering ports; the port audit flags them open.",
        "Firewall the clustering ports to the cluster members' addresses.";
    "O5", Operator, "SSH with keys, no root login, a non-default port, a banner",
        "SSH does not pass through the gateway.",
        "Set PasswordAuthentication no, PermitRootLogin no and a banner in sshd_config.";
    "O6", Operator, "Keep the OS up to date",
        "The hosts' update level is not visible to the gateway.",
        "Apply OS security updates (unattended-upgrades or your patch process).";
    "O7", Operator, "Monitor OS user activities",
        "OS user activity is not visible to the gateway.",
        "Enable auditd or the equivalent and review it.";
    "O8", Operator, "Session data cleanup in chunks (Identity Server)",
        "Session data lives in the product's database.",
        "Enable the Identity Server's session data cleanup task with a chunk size.";
    "O9", Operator, "Regular backups",
        "Backups are not the gateway's.",
        "Back up the product's databases, keystores and configuration, and test a restore.";
    "N1", Example, "Failover setup: two or more nodes, health monitoring",
        "The example runs two nodes with active health checks and outlier detection; the lint flags a product cluster without health checks or with one endpoint.",
        "Run at least two product nodes behind the gateway.";
    "N2", Example, "Network-level logging for proxies and load balancers, reviewed for abnormal behaviour",
        "The example writes an access log and exposes the filters' metrics; the lint flags listeners without an access log.",
        "Keep the gateway's access logs and review them (alerts on denied bursts).";
    "N3", Check, "Audit open ports and services",
        "The port audit connects to every port of a host and compares with what is expected.",
        "Run the port audit (and nmap, ss) on every host and close what is not expected.";
    "N4", Check, "Device-level security: routing tables, firewall rules, no default device credentials",
        "The lint flags an Envoy admin interface bound beyond loopback; devices are the operator's.",
        "Keep the Envoy admin interface on loopback; change every device's default credentials.";
    "N5", Operator, "Firmware updates",
        "Firmware is not visible to the gateway.",
        "Keep network devices' firmware current.";
    "N6", Enforce, "Block /services and /carbon from the DMZ; expose only the required applications",
        "context-allowlist refuses the admin contexts in every encoding the product routes; the audit probes them.",
        "Keep the product's own ports unreachable from the DMZ.";
    "N7", Enforce, "An allowlist approach at the DMZ",
        "context-allowlist denies every path not listed; the lint flags routes to the product without it.",
        "List only the applications your users need.";
}

/// The guideline with this id (`P8`), if there is one.
pub fn find(id: &str) -> Option<&'static Guideline> {
    ALL.iter().find(|g| g.id == id)
}

/// The README's guideline table: one row per guideline with its part and what the gateway does.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| id | guideline | gateway's part | what the gateway does |\n| --- | --- | --- | --- |\n",
    );
    for g in ALL {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            g.id,
            g.title,
            g.part.as_str(),
            g.gateway
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_eight_unique_ids_in_three_series() {
        assert_eq!(ALL.len(), 38);
        let mut ids: Vec<&str> = ALL.iter().map(|g| g.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 38);
        for (prefix, count) in [("P", 22), ("O", 9), ("N", 7)] {
            for n in 1..=count {
                let id = format!("{prefix}{n}");
                assert!(find(&id).is_some(), "{id} missing");
            }
        }
    }

    #[test]
    fn table_has_a_row_per_guideline() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), 40);
        assert!(table.contains("| N6 | Block /services and /carbon"));
    }
}
