//! A plugin configuration change through a real file-based LDS update while load runs: no
//! request fails, the old rule holds before the update and the new one after.
//!
//! An Envoy of its own (admin 9914, listener 10210) takes its listener from an LDS file: the
//! combined module with the plain listeners' configuration, routed to both mock nodes. The
//! update adds `/oauth2/userinfo` to the allowlist's deny list: it answers 200 before, 403 after
//! (`listener_manager.lds.update_success` counts the update); the load's route, `/oauth2/jwks`,
//! answers 200 throughout.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use super::load;
use crate::project::run_dir;
use crate::{envoy_yaml, http};

const PORT: u16 = 10210;
const ADMIN_PORT: u16 = 9914;
/// The path the update denies.
const PROBE: &str = "/oauth2/userinfo";

/// Runs the check; prints the load's figures and when the new rule took hold.
pub(crate) fn reload_under_load() -> Result<()> {
    let dir = run_dir().join("lds-reload");
    std::fs::create_dir_all(&dir)?;
    let old = std::fs::read_to_string(
        crate::examples::plugin_config_dir().join("gateway-hardening-plain.json"),
    )?;
    let new = with_denied(&old, PROBE)?;
    let module = crate::project::wasm_path("gateway-hardening");
    let lds = |config: &str| {
        let filter = envoy_yaml::wasm_filter("gateway-hardening", &module, config);
        envoy_yaml::lds_file(&envoy_yaml::proxied_listener(
            "lds_reload",
            PORT,
            &filter,
            "mock",
        ))
    };
    let listeners = dir.join("listeners.yaml");
    std::fs::write(&listeners, lds(&old))?;
    let clusters = [envoy_yaml::static_cluster("mock", 18080)];
    let bootstrap = dir.join("bootstrap.yaml");
    std::fs::write(
        &bootstrap,
        envoy_yaml::lds_bootstrap(ADMIN_PORT, &listeners, &clusters),
    )?;
    let _envoy = crate::down::KillOnDrop(crate::envoy_checks::spawn_envoy(
        &bootstrap,
        &dir.join("envoy.log"),
    )?);
    {
        let admin = format!("127.0.0.1:{ADMIN_PORT}");
        let listener = format!("127.0.0.1:{PORT}");
        http::wait_for(&admin, "/ready", 30, |s, _| s == 200)?;
        http::wait_for(&listener, "/oauth2/jwks", 30, |s, _| s == 200)?;
        let before = http::get(&listener, PROBE)?.0;
        ensure!(
            before == 200,
            "before the update {PROBE} answered {before}, want 200"
        );
        let load = load::start(
            &listener,
            "/oauth2/jwks",
            4,
            40_000,
            Duration::from_secs(30),
        )?;
        std::thread::sleep(Duration::from_secs(2));
        // A move into the watched directory is what triggers Envoy's reload.
        let staged = dir.join("listeners.yaml.new");
        std::fs::write(&staged, lds(&new))?;
        let updated_at = Instant::now();
        std::fs::rename(&staged, &listeners)?;
        http::wait_for(
            &admin,
            "/stats?filter=listener_manager.lds.update_success",
            15,
            |_, body| body.contains("listener_manager.lds.update_success: 2"),
        )?;
        let accepted = updated_at.elapsed();
        let deadline = Instant::now() + Duration::from_secs(10);
        let in_force = loop {
            let status = http::get(&listener, PROBE)?.0;
            if status == 403 {
                break updated_at.elapsed();
            }
            if Instant::now() > deadline {
                bail!("{PROBE} still answers {status} 10 s after the update");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_secs(2));
        let outcomes = load.finish();
        let failed = outcomes.iter().filter(|o| !o.ok()).count();
        println!(
            "LDS update under load: {}; {PROBE} 200 before, 403 after; update accepted {} ms and the new rule in force {} ms after the file moved",
            load::summary(&outcomes),
            accepted.as_millis(),
            in_force.as_millis()
        );
        ensure!(
            failed == 0,
            "{failed} requests failed across the LDS update"
        );
        Ok(())
    }
}

/// The combined plugin configuration `json` with `path` added to its allowlist section's first
/// virtual host's deny list.
fn with_denied(json: &str, path: &str) -> Result<String> {
    let mut config: serde_json::Value = serde_json::from_str(json)?;
    config
        .pointer_mut("/context_allowlist/virtual_hosts/0/deny")
        .and_then(serde_json::Value::as_array_mut)
        .context("no context_allowlist.virtual_hosts[0].deny in the plain configuration")?
        .push(serde_json::Value::from(path));
    Ok(serde_json::to_string(&config)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_update_denies_the_probe_and_keeps_the_rest() {
        let json = std::fs::read_to_string(
            crate::examples::plugin_config_dir().join("gateway-hardening-plain.json"),
        )
        .unwrap();
        let new = with_denied(&json, PROBE).unwrap();
        let old: serde_json::Value = serde_json::from_str(&json).unwrap();
        let new: serde_json::Value = serde_json::from_str(&new).unwrap();
        let deny = |v: &serde_json::Value| {
            v.pointer("/context_allowlist/virtual_hosts/0/deny")
                .unwrap()
                .as_array()
                .unwrap()
                .clone()
        };
        assert_eq!(deny(&new).len(), deny(&old).len() + 1);
        assert_eq!(deny(&new).last().unwrap(), PROBE);
        assert_eq!(new["header_hardening"], old["header_hardening"]);
        let plan = policies::check::check("gateway-hardening", new.to_string().as_bytes());
        assert_eq!(plan, Ok(()), "the updated configuration must compile");
    }
}
