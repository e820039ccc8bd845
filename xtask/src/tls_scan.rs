//! The TLS scan as the test steps run it: the CLI library's scan
//! ([`gateway_hardening_cli::scan::tls`]; users run `gateway-hardening scan tls`) with the
//! `openssl` command installed first, its table printed, failing when any row is not as the
//! seed guidelines want.

use anyhow::{Result, bail};
use gateway_hardening_cli::scan::tls;

/// Prints the table of `target` (`HOST:PORT`, `servername` as SNI); fails when any row is not
/// as the seeds want, or the scan cannot be made. Installs `openssl` first when it is missing.
pub(crate) fn tls_scan(target: &str, servername: Option<&str>) -> Result<()> {
    ensure_openssl()?;
    let report = tls::scan(target, servername)?;
    print!("{}", report.render());
    let bad = report.not_as_wanted();
    if bad.is_empty() {
        Ok(())
    } else {
        bail!("not as the seeds want: {}", bad.join(", "))
    }
}

/// Installs the `openssl` command (Debian package) when it is missing.
pub(crate) fn ensure_openssl() -> Result<()> {
    crate::tools::ensure_command("openssl", "openssl")
}
