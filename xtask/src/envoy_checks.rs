//! What Envoy does with a plugin configuration the filter refuses: `on_configure` returns
//! false, `envoy --mode validate` fails with the field named in its log, and a static bootstrap
//! does not start (exit code 1). Tested with real Envoy.

use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::project::{root, run_dir};
use crate::{envoy_yaml, http, tools};

/// A bad configuration for the context-allowlist policy (the plain listeners' combined module's
/// `context_allowlist` section), and the field its error must name.
const BAD: (&str, &str) = (
    r#"{"context_allowlist": {"virtual_hosts": [{"domains": ["*"], "allow": ["/oauth2/*"], "internal_sources": ["10.0.0.0/33"]}]}}"#,
    "context_allowlist.virtual_hosts[0].internal_sources[0]",
);

/// Writes the example with the allowlist configuration replaced by [`BAD`], then checks that
/// `--mode validate` and a normal start both fail and the log names the field.
pub(crate) fn invalid_config_is_refused() -> Result<()> {
    let example = std::fs::read_to_string(root().join(crate::up::CONFIG))?;
    let bad_yaml = replace_block(
        &example,
        "# plugin-config/gateway-hardening-plain.json",
        BAD.0,
    )?;
    // Its own ports, so that it fails for its configuration and not because `up` holds them.
    let bad_yaml = crate::up::shifted(&bad_yaml, 300);
    let path = run_dir().join("invalid-plugin-config.yaml");
    std::fs::write(&path, bad_yaml)?;
    for mode in [&["--mode", "validate"][..], &["--mode", "serve"][..]] {
        let out = Command::new(tools::envoy())
            .current_dir(root())
            .args(mode)
            .args(["--use-dynamic-base-id", "-c"])
            .arg(&path)
            .output()
            .context("cannot run envoy")?;
        let log = String::from_utf8_lossy(&out.stderr);
        ensure!(
            !out.status.success(),
            "envoy {mode:?} accepted an invalid plugin configuration"
        );
        ensure!(
            out.status.code() == Some(1),
            "envoy {mode:?} exited with {:?}, expected 1",
            out.status.code()
        );
        if !log.contains(BAD.1) {
            bail!(
                "envoy {mode:?} failed, but its log does not name `{}`:\n{log}",
                BAD.1
            );
        }
        let named = log.lines().find(|l| l.contains(BAD.1)).unwrap_or_default();
        println!("envoy {mode:?}: exit 1; log: {}", named.trim());
    }
    Ok(())
}

/// Replaces the block after `marker` (and its `value: |` line) by `json` on one line.
pub(crate) fn replace_block(yaml: &str, marker: &str, json: &str) -> Result<String> {
    let mut out = Vec::new();
    let mut lines = yaml.lines().peekable();
    let mut replaced = false;
    while let Some(line) = lines.next() {
        out.push(line.to_owned());
        if line.trim() != marker {
            continue;
        }
        let value = lines.next().context("marker without value line")?;
        out.push(value.to_owned());
        let indent = value.len() - value.trim_start().len() + 2;
        while lines
            .peek()
            .is_some_and(|l| l.len() - l.trim_start().len() >= indent)
        {
            lines.next();
        }
        out.push(format!("{}{json}", " ".repeat(indent)));
        replaced = true;
    }
    ensure!(replaced, "no `{marker}` block in the example");
    Ok(out.join("\n"))
}

/// Starts an Envoy of our own with `bootstrap`, its log to `log` (flushed every 100 ms), from
/// the repository root; the caller kills it.
pub(crate) fn spawn_envoy(
    bootstrap: &std::path::Path,
    log: &std::path::Path,
) -> Result<std::process::Child> {
    Command::new(tools::envoy())
        .current_dir(root())
        .args([
            "--use-dynamic-base-id",
            "--file-flush-interval-msec",
            "100",
            "-c",
        ])
        .arg(bootstrap)
        .arg("--log-path")
        .arg(log)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("cannot start envoy")
}

/// An LDS update whose plugin configuration the filter refuses is rejected by Envoy, the log
/// names the field, and the listener already running keeps serving with its old configuration.
pub(crate) fn lds_update_with_invalid_config_is_rejected() -> Result<()> {
    const PORT: u16 = 10200;
    const ADMIN_PORT: u16 = 9912;
    let dir = run_dir().join("lds");
    std::fs::create_dir_all(&dir)?;
    let good = std::fs::read_to_string(
        crate::examples::plugin_config_dir().join("gateway-hardening-plain.json"),
    )?;
    let module = crate::project::wasm_path("gateway-hardening");
    let lds = |config: &str| {
        let filter = envoy_yaml::wasm_filter("gateway-hardening", &module, config);
        envoy_yaml::lds_file(&envoy_yaml::direct_response_listener(
            "lds_test", PORT, &filter,
        ))
    };
    let listeners = dir.join("listeners.yaml");
    std::fs::write(&listeners, lds(&good))?;
    let bootstrap = envoy_yaml::lds_bootstrap(ADMIN_PORT, &listeners, &[]);
    let bootstrap_path = dir.join("bootstrap.yaml");
    std::fs::write(&bootstrap_path, bootstrap)?;
    let log_path = dir.join("envoy.log");
    let mut envoy = spawn_envoy(&bootstrap_path, &log_path)?;
    let result = (|| {
        let admin = format!("127.0.0.1:{ADMIN_PORT}");
        let listener = format!("127.0.0.1:{PORT}");
        http::wait_for(&admin, "/ready", 30, |s, _| s == 200)?;
        let before = (
            http::get(&listener, "/carbon")?.0,
            http::get(&listener, "/oauth2/jwks")?.0,
        );
        ensure!(
            before == (403, 200),
            "before the update: /carbon and /oauth2/jwks gave {before:?}, expected (403, 200)"
        );
        // A move into the watched directory is what triggers Envoy's reload.
        let staged = dir.join("listeners.yaml.new");
        std::fs::write(&staged, lds(BAD.0))?;
        std::fs::rename(&staged, &listeners)?;
        http::wait_for(
            &admin,
            "/stats?filter=listener_manager.lds.update_rejected",
            15,
            |_, body| body.contains("listener_manager.lds.update_rejected: 1"),
        )?;
        let after = (
            http::get(&listener, "/carbon")?.0,
            http::get(&listener, "/oauth2/jwks")?.0,
        );
        ensure!(
            after == (403, 200),
            "after the rejected update: {after:?}, expected the old listener's (403, 200)"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        let log = std::fs::read_to_string(&log_path)?;
        let named = log
            .lines()
            .find(|l| l.contains(BAD.1))
            .context("Envoy's log does not name the field")?;
        println!(
            "LDS update rejected (update_rejected 1), old listener still answers /carbon 403, /oauth2/jwks 200"
        );
        println!("log: {}", named.trim());
        Ok(())
    })();
    let _ = envoy.kill();
    let _ = envoy.wait();
    result
}
