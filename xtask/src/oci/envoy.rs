//! A module from the registry, loaded into real Envoy: a second Envoy (its own listener and
//! admin ports, its own base id) with one listener, path normalisation off (the filter alone sees
//! the raw target), context-allowlist with the dmz-gateway's plugin configuration, routing to the
//! mock node that `up` started. The module is either the file `oci-tool pull` wrote or fetched
//! by Envoy itself from the registry's blob URL (`code.remote`). It serves a few corpus requests
//! and is stopped. The main Envoy keeps running untouched.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};

use crate::project::root;
use crate::{http, tools};

/// What a corpus request must get.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// Reaches the mock upstream (`x-mock-upstream` in the answer).
    Upstream,
    /// This status from the filter, never reaching the upstream.
    Denied(u16),
}

/// Raw request targets (sent byte for byte), an extra header line, and the expected outcome.
const CORPUS: &[(&str, &str, Expect)] = &[
    ("/oauth2/token", "", Expect::Upstream),
    ("/.well-known/openid-configuration", "", Expect::Upstream),
    ("/t/acme.com/oauth2/jwks", "", Expect::Upstream),
    ("/carbon/admin/login.jsp", "", Expect::Denied(403)),
    (
        "/oauth2/..;/carbon/admin/login.jsp",
        "",
        Expect::Denied(403),
    ),
    ("/%2e%2e/%63arbon/", "", Expect::Denied(403)),
    (
        "//services//RemoteUserStoreManagerService?wsdl",
        "",
        Expect::Denied(403),
    ),
    (
        "/t/acme.com/carbon/admin/index.jsp",
        "",
        Expect::Denied(403),
    ),
    ("/CARBON/admin/index.jsp", "", Expect::Denied(403)),
    (
        "/oauth2/token",
        "Authorization: Basic YWRtaW46YWRtaW4=\r\n",
        // The default admin credentials: 401 on every path.
        Expect::Denied(401),
    ),
];

/// Where Envoy gets the module.
pub(super) enum Module<'a> {
    /// `code.local.filename`: the file `oci-tool pull` wrote.
    File(&'a Path),
    /// `code.remote`: Envoy fetches the oci variant's Wasm layer itself from the registry's blob
    /// URL (`GET /v2/<repository>/blobs/sha256:<hex>`, distribution-spec "Pulling blobs") and
    /// checks it against `sha256`, the module's own digest.
    RegistryBlob {
        /// The registry, `127.0.0.1:<port>` (plain HTTP, anonymous).
        addr: &'a str,
        /// The repository holding the oci-variant image.
        repository: &'a str,
        /// The module's SHA-256 (hex), which is the Wasm layer's digest.
        sha256: &'a str,
    },
}

impl Module<'_> {
    /// The `code:` block (at 18 spaces) and any extra cluster (at 2).
    fn yaml(&self) -> Result<(String, String)> {
        Ok(match self {
            Self::File(path) => (
                format!("local: {{ filename: {} }}", path.display()),
                String::new(),
            ),
            Self::RegistryBlob {
                addr,
                repository,
                sha256,
            } => {
                let (host, port) = addr.rsplit_once(':').context("registry without port")?;
                (
                    format!(
                        "remote:\n                      http_uri:\n                        \
                         uri: http://{addr}/v2/{repository}/blobs/sha256:{sha256}\n                        \
                         cluster: oci_registry\n                        timeout: 10s\n                      \
                         sha256: {sha256}\n                      retry_policy: {{ num_retries: 3 }}"
                    ),
                    format!(
                        "  - name: oci_registry\n    type: STATIC\n    connect_timeout: 1s\n    \
                         load_assignment:\n      cluster_name: oci_registry\n      endpoints:\n      \
                         - lb_endpoints:\n        - endpoint: {{ address: {{ socket_address: \
                         {{ address: {host}, port_value: {port} }} }} }}\n"
                    ),
                )
            }
        })
    }

    fn describe(&self) -> String {
        match self {
            Self::File(p) => format!("the pulled file {}", p.display()),
            Self::RegistryBlob {
                addr, repository, ..
            } => {
                format!("code.remote from http://{addr}/v2/{repository}/blobs/...")
            }
        }
    }
}

/// The mock node the listener routes to (started by `up`).
const UPSTREAM_PORT: u16 = 18080;

/// Envoy started by us; SIGTERM (then SIGKILL) when dropped.
struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        for _ in 0..50 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn config(module: &Module<'_>, listen: u16, admin: u16, plugin_config: &str) -> Result<String> {
    // A JSON string is a valid YAML double-quoted scalar.
    let value = serde_json::to_string(plugin_config)?;
    let (code, extra_cluster) = module.yaml()?;
    Ok(format!(
        r#"# Written by `cargo xtask test` (xtask/src/oci/envoy.rs): a module from the registry in Envoy.
admin:
  address: {{ socket_address: {{ address: 127.0.0.1, port_value: {admin} }} }}
static_resources:
  listeners:
  - name: pulled_module
    address: {{ socket_address: {{ address: 127.0.0.1, port_value: {listen} }} }}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: pulled_module
          generate_request_id: true
          normalize_path: false
          merge_slashes: false
          path_with_escaped_slashes_action: KEEP_UNCHANGED
          route_config:
            virtual_hosts:
            - name: wso2
              domains: ["*"]
              routes:
              - match: {{ prefix: "/" }}
                route: {{ cluster: mock_wso2 }}
          http_filters:
          - name: context-allowlist
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
              config:
                name: context-allowlist
                root_id: context-allowlist
                failure_policy: FAIL_RELOAD
                vm_config:
                  vm_id: context-allowlist-pulled
                  runtime: envoy.wasm.runtime.v8
                  code:
                    {code}
                configuration:
                  "@type": type.googleapis.com/google.protobuf.StringValue
                  value: {value}
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: mock_wso2
    type: STATIC
    connect_timeout: 1s
    load_assignment:
      cluster_name: mock_wso2
      endpoints:
      - lb_endpoints:
        - endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {UPSTREAM_PORT} }} }} }}
{extra_cluster}"#
    ))
}

/// Validates and starts Envoy with `module`, sends [`CORPUS`], checks each answer and the
/// filter's counters, and stops it.
pub(super) fn serve(module: &Module<'_>, dir: &Path, name: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let plugin_config = std::fs::read_to_string(
        root().join("envoy-examples/dmz-gateway/plugin-config/context-allowlist.json"),
    )?;
    let compact =
        serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&plugin_config)?)?;
    let (listen, admin) = (super::registry::free_port()?, super::registry::free_port()?);
    let config_path = dir.join(format!("{name}.yaml"));
    std::fs::write(&config_path, config(module, listen, admin, &compact)?)?;
    if let Module::File(_) = module {
        crate::up::validate(&config_path)?;
        println!(
            "envoy: {} validates (module compiled, on_configure accepted)",
            config_path.display()
        );
    }
    let log = dir.join(format!("{name}.log"));
    let out = std::fs::File::create(&log)?;
    let child = Command::new(tools::envoy())
        .current_dir(root())
        .arg("-c")
        .arg(&config_path)
        .args(["--use-dynamic-base-id", "--log-level", "info"])
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .context("cannot start envoy")?;
    let _proxy = Proxy(child);
    let admin_addr = format!("127.0.0.1:{admin}");
    let listen_addr = format!("127.0.0.1:{listen}");
    http::wait_for(&admin_addr, "/ready", 30, |s, _| s == 200).with_context(|| {
        format!(
            "envoy with {} did not start; see {}",
            module.describe(),
            log.display()
        )
    })?;
    println!(
        "envoy: serving {} on {listen_addr} (admin {admin_addr})",
        module.describe()
    );
    let mut failures = Vec::new();
    let mut denied = 0;
    for (target, extra, expect) in CORPUS {
        let (status, head, _body) = crate::http::get_with(&listen_addr, target, extra)?;
        let upstream = head.to_ascii_lowercase().contains("\r\nx-mock-upstream:");
        let got = if upstream {
            Expect::Upstream
        } else {
            denied += 1;
            Expect::Denied(status)
        };
        let shown = if extra.is_empty() {
            String::new()
        } else {
            format!(" + {}", extra.trim())
        };
        println!(
            "  {status} {:<8} {target}{shown}",
            if upstream { "upstream" } else { "filter" }
        );
        if got != *expect {
            failures.push(format!("{target}{shown}: {got:?}, expected {expect:?}"));
        }
    }
    let (_, stats) = http::get(&admin_addr, "/stats?filter=gateway_hardening")?;
    let counted: u64 = stats
        .lines()
        .filter(|l| l.starts_with("wasmcustom.gateway_hardening.context_allowlist.denied."))
        .filter_map(|l| l.rsplit(": ").next()?.trim().parse::<u64>().ok())
        .sum();
    println!("  counters: wasmcustom.gateway_hardening.context_allowlist.denied.* = {counted}");
    ensure!(
        counted == denied,
        "the pulled filter counted {counted} denials, the client saw {denied}"
    );
    if !failures.is_empty() {
        bail!(
            "{} answered wrongly:\n  {}",
            module.describe(),
            failures.join("\n  ")
        );
    }
    println!(
        "envoy: {} served {} requests as expected ({denied} denied by the filter)",
        module.describe(),
        CORPUS.len()
    );
    Ok(())
}
