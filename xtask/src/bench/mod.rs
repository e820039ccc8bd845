//! `cargo xtask bench`: the criterion benchmarks, then the load benchmark of the filters in real
//! Envoy. Envoy runs with one worker, once without any filter, with Envoy's native filters and
//! with Lua doing a similar job (`native`), with an empty Rust Proxy-Wasm filter (the V8 floor),
//! once per filter, with the three chained as in the dmz-gateway example, and with the combined
//! module (`gateway_hardening.wasm`, the same three configurations as its sections). Each variant
//! runs with a `direct_response` route (no upstream: Envoy's own cost is the floor) and proxied to
//! a local upstream (a second Envoy answering 200), loaded over HTTP/1.1 (wrk) and HTTP/2 (h2load)
//! from the other core, with two requests: a public endpoint (`/oauth2/jwks`, which every filter
//! lets through) and an admin context (`/carbon/admin/login.jsp`: context-allowlist answers 403,
//! tls-guard 308 because a path with a client-certificate rule is never served over plaintext,
//! header-hardening hardens the answer). Every answer of a window must have the status a probe
//! request got just before it.
//!
//! Rounds alternate the variants (A B A B …) and the table (`table`) gives medians: requests per
//! second and their share of Envoy alone's, latency, Envoy CPU per request (from /proc/<pid>/stat,
//! with min and max over the rounds) and what the filters add to Envoy alone and to Envoy's native
//! filters doing a similar job (RBAC and header_mutation; Lua), Envoy's resident memory, and the
//! CPU other processes used during each window (noise).

mod load;
mod native;
mod table;

use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::project::{cargo, root, run, run_dir, wasm_path};
use crate::{envoy_yaml, tools};
use load::Protocol;
use table::Cell;

const LISTEN_PORT: u16 = 10100;
const LISTEN: &str = "127.0.0.1:10100";
const ADMIN_PORT: u16 = 9911;
const ADMIN: &str = "127.0.0.1:9911";
/// The upstream of the proxied route: an Envoy answering every request with 200.
const UPSTREAM_PORT: u16 = 10102;
const UPSTREAM_ADMIN_PORT: u16 = 9912;
const UPSTREAM_ADMIN: &str = "127.0.0.1:9912";

/// A filter variant: a name and the http_filters YAML placed before the router.
struct Variant {
    name: &'static str,
    filters: String,
}

/// How the bench's listener answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    /// `direct_response` 200.
    Direct,
    /// Routed to the upstream cluster.
    Proxied,
}

impl Route {
    fn label(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Proxied => "proxied",
        }
    }
}

/// The two requests: a public endpoint and an admin context.
const PATHS: [(&str, &str); 2] = [
    ("public", "/oauth2/jwks"),
    ("admin", "/carbon/admin/login.jsp"),
];

/// Runs criterion (unless `envoy_only`) and the Envoy load bench: `rounds` rounds of `seconds`
/// seconds per variant, route, HTTP version and request; with `only`, of the variants whose name
/// contains it and the two baselines.
pub(crate) fn bench(
    envoy_only: bool,
    rounds: usize,
    seconds: u64,
    only: Option<&str>,
) -> Result<()> {
    if !envoy_only {
        run(cargo().args(["bench", "-p", "benches"]))?;
        plots()?;
    }
    tools::ensure_envoy()?;
    tools::ensure_command("wrk", "wrk")?;
    tools::ensure_command("h2load", "nghttp2-client")?;
    crate::build::build()?;
    crate::build::wasm_release(&["empty-filter"], None, &[])?;
    let variants: Vec<Variant> = variants()?
        .into_iter()
        .enumerate()
        .filter(|(i, v)| *i < BASELINES || only.is_none_or(|o| v.name.contains(o)))
        .map(|(_, v)| v)
        .collect();
    if variants.len() == BASELINES {
        bail!("no variant's name contains {only:?}");
    }
    let mut upstream = start_upstream()?;
    let result = rounds_of(&variants, &upstream, rounds, seconds);
    let _ = upstream.kill();
    let _ = upstream.wait();
    let samples = result?;
    let names: Vec<&'static str> = variants.iter().map(|v| v.name).collect();
    table::print(&samples, &names, rounds);
    Ok(())
}

/// Draws the criterion scaling curves as PNG files in `benches/plots/` (`benches/plot`, a crate
/// outside the workspace; the font from Debian's `fonts-dejavu-core`, installed when missing).
fn plots() -> Result<()> {
    const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if !std::path::Path::new(FONT).is_file() {
        tools::apt_install(&["fonts-dejavu-core"])?;
    }
    run(cargo()
        .env(
            "CARGO_TARGET_DIR",
            crate::project::target_dir().join("plot"),
        )
        .args(["run", "--release", "--manifest-path"])
        .arg(root().join("benches/plot/Cargo.toml"))
        .arg("--")
        .arg("--criterion")
        .arg(crate::project::target_dir().join("criterion"))
        .arg("--out")
        .arg(root().join("benches/plots")))
}

/// How many of [`variants`]' first entries are baselines (Envoy alone, native filters).
const BASELINES: usize = 2;

/// Every variant, in the table's order: the baselines first.
fn variants() -> Result<Vec<Variant>> {
    let allowlist = example_filter("context-allowlist", example_config("context-allowlist")?);
    let headers = example_filter("header-hardening", example_config("header-hardening")?);
    let tls = example_filter("tls-guard", tls_guard_plaintext_config()?);
    let v = |name, filters| Variant { name, filters };
    Ok(vec![
        v("no Wasm filter", String::new()),
        v("native RBAC+headers", native::native()?),
        v("Lua", native::lua()?),
        v(
            "empty filter",
            example_filter("empty-filter", "{}".to_owned()),
        ),
        v("context-allowlist", allowlist.clone()),
        v("header-hardening", headers.clone()),
        v("tls-guard", tls.clone()),
        v("all three", format!("{headers}{tls}{allowlist}")),
        v(
            "combined module",
            example_filter("gateway-hardening", combined_config()?),
        ),
    ])
}

/// The rounds: in each, every route, then every variant (one Envoy each), then each HTTP version
/// and request.
fn rounds_of(
    variants: &[Variant],
    upstream: &Child,
    rounds: usize,
    seconds: u64,
) -> Result<Vec<(Cell, load::Sample)>> {
    let mut samples = Vec::new();
    for round in 1..=rounds {
        for route in [Route::Direct, Route::Proxied] {
            let upstream_pid = (route == Route::Proxied).then(|| upstream.id());
            for v in variants {
                let mut envoy = start(v, route)?;
                let result = [Protocol::Http1, Protocol::Http2].iter().try_for_each(|&http| {
                    PATHS.iter().try_for_each(|&(request, path)| {
                        let (expected, _, _) = crate::http::get_with(LISTEN, path, "")
                            .with_context(|| format!("probe of {path}"))?;
                        let window = |s| {
                            load::window(&envoy, upstream_pid, LISTEN, path, http, expected, s)
                        };
                        window(2).context("warm-up")?;
                        let s = window(seconds).with_context(|| {
                            format!("{} {} {} {request}", v.name, route.label(), http.label())
                        })?;
                        println!(
                            "bench: round {round} {:<20} {:<7} {} {request:<6} {expected} {:>8.0} req/s {:>6.1} µs CPU/req",
                            v.name,
                            route.label(),
                            http.label(),
                            s.rps,
                            s.cpu_us
                        );
                        let cell = Cell {
                            variant: v.name,
                            route: route.label(),
                            http: http.label(),
                            request,
                        };
                        samples.push((cell, s));
                        Ok::<(), anyhow::Error>(())
                    })
                });
                let _ = envoy.kill();
                let _ = envoy.wait();
                result?;
            }
        }
    }
    Ok(samples)
}

/// The plugin configuration the dmz-gateway example gives `filter` on its plain listeners.
fn example_config(filter: &str) -> Result<String> {
    let path = root().join(format!(
        "envoy-examples/dmz-gateway/plugin-config/{filter}.json"
    ));
    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// The example's tls-guard configuration with `"plaintext": "allow"`, as behind a TLS-terminating
/// load balancer: the bench listener is plaintext, so the front door's configuration would
/// redirect every request. Without its `upstream` checks, too: the bench's upstream is plaintext
/// (the front door's would answer 502 `upstream_not_tls`).
fn tls_guard_plaintext_config() -> Result<String> {
    let mut config: serde_json::Value = serde_json::from_str(&example_config("tls-guard")?)?;
    let object = config
        .as_object_mut()
        .context("tls-guard.json is not an object")?;
    object.remove("upstream");
    let hosts = object
        .get_mut("virtual_hosts")
        .and_then(|v| v.as_array_mut())
        .context("tls-guard.json has no virtual_hosts")?;
    for host in hosts {
        host["plaintext"] = "allow".into();
    }
    Ok(config.to_string())
}

/// The combined module's configuration doing what "all three" do: the same three
/// configurations as its sections.
fn combined_config() -> Result<String> {
    let section = |json: &str| serde_json::from_str::<serde_json::Value>(json);
    Ok(serde_json::json!({
        "header_hardening": section(&example_config("header-hardening")?)?,
        "tls_guard": section(&tls_guard_plaintext_config()?)?,
        "context_allowlist": section(&example_config("context-allowlist")?)?,
    })
    .to_string())
}

fn example_filter(name: &str, config: String) -> String {
    envoy_yaml::wasm_filter(name, &wasm_path(name), &config)
}

fn config_yaml(v: &Variant, route: Route) -> String {
    match route {
        Route::Direct => envoy_yaml::static_bootstrap(
            ADMIN_PORT,
            &envoy_yaml::direct_response_listener("bench", LISTEN_PORT, &v.filters),
            &[],
        ),
        Route::Proxied => envoy_yaml::static_bootstrap(
            ADMIN_PORT,
            &envoy_yaml::proxied_listener("bench", LISTEN_PORT, &v.filters, "upstream"),
            &[envoy_yaml::static_cluster("upstream", UPSTREAM_PORT)],
        ),
    }
}

/// Starts an Envoy with one worker from `yaml` (written to `<run dir>/<name>.yaml`, its log
/// next to it) and waits until its admin on `admin` is ready.
fn envoy(name: &str, yaml: &str, admin: &str) -> Result<Child> {
    std::fs::create_dir_all(run_dir())?;
    let path = run_dir().join(format!("{name}.yaml"));
    std::fs::write(&path, yaml)?;
    let child = Command::new(tools::envoy())
        .current_dir(root())
        .args([
            "--concurrency",
            "1",
            "--use-dynamic-base-id",
            "-l",
            "warning",
            "-c",
        ])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(
            run_dir().join(format!("{name}.log")),
        )?)
        .spawn()
        .context("cannot start envoy")?;
    crate::http::wait_for(admin, "/ready", 30, |s, _| s == 200)?;
    Ok(child)
}

/// The Envoy under test: variant `v`'s filters on the bench listener, `route`d.
fn start(v: &Variant, route: Route) -> Result<Child> {
    envoy("bench-envoy", &config_yaml(v, route), ADMIN)
}

/// The proxied route's upstream: an Envoy answering every request with 200 `ok`.
fn start_upstream() -> Result<Child> {
    let yaml = envoy_yaml::static_bootstrap(
        UPSTREAM_ADMIN_PORT,
        &envoy_yaml::direct_response_listener("upstream", UPSTREAM_PORT, ""),
        &[],
    );
    let child = envoy("bench-upstream", &yaml, UPSTREAM_ADMIN)?;
    if crate::http::get(&format!("127.0.0.1:{UPSTREAM_PORT}"), "/")?.0 != 200 {
        bail!("the bench's upstream does not answer 200");
    }
    Ok(child)
}
