//! Registry credentials: `OCI_USERNAME` + `OCI_PASSWORD` from the environment when both are set,
//! else Docker's `config.json` (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`: `auths`,
//! `credsStore`, `credHelpers`, as `docker login` writes them), else anonymous.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use docker_credential::{CredentialRetrievalError, DockerCredential};
use oci_client::secrets::RegistryAuth;

/// Where the credentials came from, for the log (never the secret itself).
#[derive(Debug, PartialEq, Eq)]
pub enum Source {
    /// `OCI_USERNAME` / `OCI_PASSWORD`.
    Environment,
    /// The Docker config file at this path.
    DockerConfig(PathBuf),
    /// No credentials.
    Anonymous,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Environment => f.write_str("OCI_USERNAME/OCI_PASSWORD"),
            Self::DockerConfig(p) => write!(f, "{}", p.display()),
            Self::Anonymous => f.write_str("none (anonymous)"),
        }
    }
}

/// The credentials for `registry` (host[:port]) and where they came from.
pub fn for_registry(registry: &str) -> Result<(RegistryAuth, Source)> {
    let user = std::env::var("OCI_USERNAME").ok();
    let pass = std::env::var("OCI_PASSWORD").ok();
    match (user, pass) {
        (Some(u), Some(p)) => return Ok((RegistryAuth::Basic(u, p), Source::Environment)),
        (Some(_), None) | (None, Some(_)) => {
            bail!("set both OCI_USERNAME and OCI_PASSWORD, or neither")
        }
        (None, None) => {}
    }
    let Some(path) = docker_config_path() else {
        return Ok((RegistryAuth::Anonymous, Source::Anonymous));
    };
    if !path.exists() {
        return Ok((RegistryAuth::Anonymous, Source::Anonymous));
    }
    let file =
        std::fs::File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
    match docker_credential::get_credential_from_reader(file, registry) {
        Ok(DockerCredential::UsernamePassword(u, p)) => {
            Ok((RegistryAuth::Basic(u, p), Source::DockerConfig(path)))
        }
        Ok(DockerCredential::IdentityToken(_)) => bail!(
            "{} holds an identity token for {registry}, which this client cannot exchange; log in \
             with a username and password (or set OCI_USERNAME and OCI_PASSWORD)",
            path.display()
        ),
        Err(CredentialRetrievalError::NoCredentialConfigured) => {
            Ok((RegistryAuth::Anonymous, Source::Anonymous))
        }
        Err(e) => Err(anyhow::anyhow!(
            "cannot read the credentials for {registry} from {}: {e}",
            path.display()
        )),
    }
}

fn docker_config_path() -> Option<PathBuf> {
    let dir = std::env::var_os("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))?;
    Some(dir.join("config.json"))
}
