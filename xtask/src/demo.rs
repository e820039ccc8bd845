//! `cargo xtask demo`: the gateway on real traffic. Starts the example (`up`), sends the attack
//! corpus and the legitimate requests of `host-test/scenarios/context-allowlist` through Envoy on
//! both plain listeners, over HTTP/1.1 and HTTP/2, prints one row per request, and stops
//! everything (`down`), whatever happened.

use anyhow::{Result, bail};

use crate::project::{cargo, run};

/// The scenario folders the demo sends.
const CORPUS: &[&str] = &["host-test/scenarios/context-allowlist"];

/// Runs up, the table, down.
pub(crate) fn demo() -> Result<()> {
    crate::up::up()?;
    println!(
        "\nEach row is one request sent to Envoy. \"got\" is what came back: a status and whether it \
         came from the upstream (the mock WSO2 node) or from the gateway; \"expected\" is what the \
         scenario file says.\n"
    );
    let mut cmd = cargo();
    // The Envoy runner alone: no wasmtime to compile.
    cmd.args([
        "run",
        "--quiet",
        "-p",
        "host-test",
        "--no-default-features",
        "--",
        "e2e",
        "--table",
    ]);
    cmd.args(CORPUS);
    let table = run(&mut cmd);
    let down = crate::down::down();
    match (table, down) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), _) => bail!("some requests did not get what their scenario expects: {e}"),
        (Ok(()), Err(e)) => Err(e),
    }
}
