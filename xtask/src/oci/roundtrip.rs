//! End-to-end step: a real registry on loopback, every filter pushed and pulled back by digest
//! with the same client, the modules compared with the local `.wasm`, the refusals checked, and
//! the pulled context-allowlist serving requests in Envoy.
//!
//! Two registries (Debian's `docker-registry`): one with TLS (our own CA) and htpasswd auth, the
//! usual production setup, reached with credentials from a Docker `config.json`; one plain-HTTP
//! registry without auth for `--plain-http`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use super::envoy::Module;
use super::registry::{self, Registry};
use super::{manifest_digest, output, tool};
use crate::project::{FILTERS, run, target_dir, wasm_path};

const USER: &str = "e2e";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The step in `cargo xtask test`.
pub(crate) fn registry_roundtrip() -> Result<()> {
    registry::ensure_installed()?;
    let work = target_dir().join("oci-e2e");
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let oci = target_dir().join("oci");
    run(&mut tool(["build"]))?;
    let oci_variant = work.join("oci-variant");
    run(tool(["build", "--variant", "oci", "--out"])
        .arg(&oci_variant)
        .arg("context-allowlist"))?;

    let certs = registry::certs(&work.join("tls"))?;
    let password = format!("pw-{}", std::process::id());
    let htpasswd = registry::htpasswd(&work, USER, &password)?;
    let secure = Registry::start(
        &work.join("registry-tls-auth"),
        Some(&certs),
        Some(&htpasswd),
    )?;
    let plain = Registry::start(&work.join("registry-plain"), None, None)?;
    let docker = work.join("docker");
    std::fs::create_dir_all(&docker)?;
    let auth = base64(format!("{USER}:{password}").as_bytes());
    let config = serde_json::json!({ "auths": { secure.addr.as_str(): { "auth": auth } } });
    std::fs::write(
        docker.join("config.json"),
        serde_json::to_vec_pretty(&config)?,
    )?;
    let no_docker = work.join("docker-empty");
    std::fs::create_dir_all(&no_docker)?;
    let ca = certs.ca.display().to_string();
    // Credentials only from the Docker config given, never from the caller's environment.
    let with = |cmd: &mut Command, docker_dir: &Path| {
        cmd.env("DOCKER_CONFIG", docker_dir)
            .env_remove("OCI_USERNAME")
            .env_remove("OCI_PASSWORD");
    };

    println!(
        "\n--- push every filter (compat) to the TLS registry, credentials from DOCKER_CONFIG"
    );
    let mut push = tool([
        "push",
        &format!("{}/gateway-hardening:{VERSION}", secure.addr),
    ]);
    push.args(["--ca-cert", &ca]);
    with(&mut push, &docker);
    run(&mut push)?;

    println!("\n--- pull each back by digest and compare with the local .wasm");
    for f in FILTERS {
        let digest = manifest_digest(&oci, f)?;
        let reference = format!("{}/gateway-hardening/{f}@{digest}", secure.addr);
        pull_and_compare(
            &reference,
            f,
            &work.join("pulled"),
            &["--ca-cert", &ca],
            &docker,
        )?;
    }

    println!("\n--- the oci variant of context-allowlist: push, pull by digest, compare");
    let mut push = tool([
        "push",
        &format!("{}/gateway-hardening-oci:{VERSION}", secure.addr),
    ]);
    push.args([
        "--ca-cert",
        &ca,
        "--filter",
        "context-allowlist",
        "--oci-dir",
    ])
    .arg(&oci_variant);
    with(&mut push, &docker);
    run(&mut push)?;
    let digest = manifest_digest(&oci_variant, "context-allowlist")?;
    let reference = format!(
        "{}/gateway-hardening-oci/context-allowlist@{digest}",
        secure.addr
    );
    let pulled_oci = work.join("pulled-oci");
    pull_and_compare(
        &reference,
        "context-allowlist",
        &pulled_oci,
        &["--ca-cert", &ca],
        &docker,
    )?;

    println!("\n--- plain HTTP on loopback with --plain-http");
    let mut push = tool([
        "push",
        &format!("{}/gateway-hardening:{VERSION}", plain.addr),
    ]);
    push.args(["--plain-http", "--filter", "context-allowlist"]);
    with(&mut push, &no_docker);
    run(&mut push)?;
    let digest = manifest_digest(&oci, "context-allowlist")?;
    let reference = format!(
        "{}/gateway-hardening/context-allowlist@{digest}",
        plain.addr
    );
    let pulled_plain = work.join("pulled-plain");
    pull_and_compare(
        &reference,
        "context-allowlist",
        &pulled_plain,
        &["--plain-http"],
        &no_docker,
    )?;

    // The oci variant on the plain registry, for Envoy's own `code.remote` fetch below.
    let mut push = tool([
        "push",
        &format!("{}/gateway-hardening-oci:{VERSION}", plain.addr),
    ]);
    push.args(["--plain-http", "--filter", "context-allowlist", "--oci-dir"])
        .arg(&oci_variant);
    with(&mut push, &no_docker);
    run(&mut push)?;

    println!("\n--- refusals");
    refusals(&secure, &plain, &ca, &docker, &no_docker)?;

    println!("\n--- the pulled context-allowlist in Envoy");
    let pulled = work.join("pulled/context_allowlist.wasm");
    let envoy_dir = work.join("envoy");
    super::envoy::serve(&Module::File(&pulled), &envoy_dir, "envoy-pulled-file")?;
    println!("\n--- Envoy fetching the oci variant's Wasm layer from the registry itself");
    let module_sha256 = sha256sum(&wasm_path("context-allowlist"))?;
    let blob = Module::RegistryBlob {
        addr: &plain.addr,
        repository: "gateway-hardening-oci/context-allowlist",
        sha256: &module_sha256,
    };
    super::envoy::serve(&blob, &envoy_dir, "envoy-registry-blob")?;
    drop((secure, plain));
    Ok(())
}

/// `oci-tool pull REFERENCE` into `dir`, with the local module's SHA-256 (from `sha256sum`) as
/// the expected one, then a byte comparison with the local `.wasm`.
fn pull_and_compare(
    reference: &str,
    filter: &str,
    dir: &Path,
    transport: &[&str],
    docker: &Path,
) -> Result<()> {
    let local = wasm_path(filter);
    let expected = sha256sum(&local)?;
    let out = dir.join(local.file_name().context("no file name")?);
    let mut pull = tool([
        "pull",
        reference,
        "--expect-module-sha256",
        &expected,
        "--out",
    ]);
    pull.arg(&out).args(transport);
    pull.env("DOCKER_CONFIG", docker)
        .env_remove("OCI_USERNAME")
        .env_remove("OCI_PASSWORD");
    run(&mut pull)?;
    ensure!(
        std::fs::read(&out)? == std::fs::read(&local)?,
        "{} differs from {}",
        out.display(),
        local.display()
    );
    Ok(())
}

fn sha256sum(path: &Path) -> Result<String> {
    let out = Command::new("sha256sum").arg(path).output()?;
    ensure!(out.status.success(), "sha256sum {} failed", path.display());
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .map(str::to_owned)
        .context("no output from sha256sum")
}

/// Each bad push fails (non-zero exit), says why in the registry's or the TLS stack's words, and
/// reports nothing as pushed; afterwards the tag of the refused pushes does not exist.
fn refusals(
    secure: &Registry,
    plain: &Registry,
    ca: &str,
    docker: &Path,
    none: &Path,
) -> Result<()> {
    let denied = format!("{}/denied:{VERSION}", secure.addr);
    let one = ["--filter", "context-allowlist"];
    let cases: Vec<(&str, Command, &str)> = vec![
        (
            "no credentials",
            push_cmd(
                &denied,
                &[&one[..], &["--ca-cert", ca]].concat(),
                none,
                None,
            ),
            "UNAUTHORIZED",
        ),
        (
            "wrong password",
            push_cmd(
                &denied,
                &[&one[..], &["--ca-cert", ca]].concat(),
                none,
                Some("not-the-password"),
            ),
            "UNAUTHORIZED",
        ),
        (
            "TLS without our CA",
            push_cmd(&denied, &one, docker, None),
            "UnknownIssuer",
        ),
        (
            "TLS to a plain-HTTP registry",
            push_cmd(&format!("{}/x:{VERSION}", plain.addr), &one, none, None),
            "error sending request",
        ),
        (
            "unreachable registry",
            push_cmd(
                &format!("127.0.0.1:{}/x:{VERSION}", registry::free_port()?),
                &[&one[..], &["--plain-http"]].concat(),
                none,
                None,
            ),
            "Connection refused",
        ),
        (
            "--plain-http to a remote registry",
            push_cmd(
                "registry.example.com/x:1",
                &[&one[..], &["--plain-http"]].concat(),
                none,
                None,
            ),
            "only for registries on loopback",
        ),
    ];
    for (name, mut cmd, needle) in cases {
        let out = output(&mut cmd)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(!out.status.success(), "{name}: the push succeeded");
        ensure!(
            !stdout.contains("pushed "),
            "{name}: something was reported as pushed"
        );
        let line = stderr.lines().find(|l| l.contains(needle));
        let Some(line) = line else {
            bail!("{name}: the error does not say `{needle}`:\n{stderr}");
        };
        println!("refused as expected ({name}): …{}", tail(line, 160));
    }
    // Nothing half-pushed: the refused tag is unknown to the registry.
    let mut pull = tool([
        "pull",
        &format!("{}/denied/context-allowlist:{VERSION}", secure.addr),
    ]);
    pull.args(["--ca-cert", ca, "--out"])
        .arg(target_dir().join("oci-e2e/never.wasm"));
    pull.env("DOCKER_CONFIG", docker)
        .env_remove("OCI_USERNAME")
        .env_remove("OCI_PASSWORD");
    let out = output(&mut pull)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !out.status.success() && stderr.contains("MANIFEST_UNKNOWN"),
        "after the refused pushes, {denied} should not exist:\n{stderr}"
    );
    println!(
        "refused pushes left no tag: the registry answers MANIFEST_UNKNOWN for denied/context-allowlist:{VERSION}"
    );
    Ok(())
}

fn push_cmd(reference: &str, args: &[&str], docker: &Path, password: Option<&str>) -> Command {
    let mut cmd = tool(["push", reference]);
    cmd.args(args).env("DOCKER_CONFIG", docker);
    match password {
        Some(p) => cmd.env("OCI_USERNAME", USER).env("OCI_PASSWORD", p),
        None => cmd.env_remove("OCI_USERNAME").env_remove("OCI_PASSWORD"),
    };
    cmd
}

/// The last `n` characters of `s`.
fn tail(s: &str, n: usize) -> &str {
    let start = s.char_indices().rev().nth(n).map_or(0, |(i, _)| i);
    s.get(start..).unwrap_or(s)
}

/// Standard base64 with padding (RFC 4648 §4), for the `auth` field of Docker's config.json.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(ABC.get((i & 63) as usize).copied().unwrap_or(b'='));
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(input.as_bytes()), want);
        }
    }
}
