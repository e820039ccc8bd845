//! Credentials in request bodies: the product reads `username` and `password` from an
//! `application/x-www-form-urlencoded` body on its login and token endpoints (`/commonauth`'s
//! basic authenticator and the OAuth2 password grant on `/oauth2/token` call
//! `request.getParameter`; `/samlsso` forwards to the same login). The filter buffers such a
//! body, up to a bound, and decides when it is complete.

use serde::Deserialize;

use crate::error::ConfigError;
use crate::field_path::FieldPath;
use crate::globs::{GlobMode, PathGlobs};
use crate::request::RequestHead;

/// The endpoints whose form bodies carry login credentials, in every tenant and organisation
/// form: the Identity Server's `/commonauth`, `/oauth2/token` and `/samlsso`.
pub const DEFAULT_PATHS: [&str; 12] = [
    "/commonauth",
    "/oauth2/token",
    "/samlsso",
    "/t/*/commonauth",
    "/t/*/oauth2/token",
    "/t/*/samlsso",
    "/t/*/o/*/commonauth",
    "/t/*/o/*/oauth2/token",
    "/t/*/o/*/samlsso",
    "/o/*/commonauth",
    "/o/*/oauth2/token",
    "/o/*/samlsso",
];

/// Default bound of a buffered credential body, in bytes.
pub const DEFAULT_MAX_BYTES: usize = 8192;

/// `credential_bodies`: which form bodies are read for default credentials.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialBodiesConfig {
    /// Path globs (each covers its subtree, any case); default [`DEFAULT_PATHS`].
    #[serde(default = "default_paths")]
    pub paths: Vec<String>,
    /// Largest body buffered, in bytes (1024 to 1048576; default 8192). A longer body on one
    /// of these paths is refused with 413.
    #[serde(default = "default_max_bytes")]
    pub max_bytes: usize,
}

impl Default for CredentialBodiesConfig {
    fn default() -> Self {
        Self {
            paths: default_paths(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

fn default_paths() -> Vec<String> {
    DEFAULT_PATHS.iter().map(|p| (*p).to_owned()).collect()
}

fn default_max_bytes() -> usize {
    DEFAULT_MAX_BYTES
}

/// The compiled `credential_bodies`.
#[derive(Debug, Clone)]
pub(super) struct CredentialBodies {
    pub(super) paths: PathGlobs,
    pub(super) max_bytes: usize,
}

impl CredentialBodies {
    pub(super) fn compile(
        path: &FieldPath,
        config: &CredentialBodiesConfig,
    ) -> Result<Self, ConfigError> {
        if !(1024..=1_048_576).contains(&config.max_bytes) {
            return Err(ConfigError::at(
                path.key("max_bytes"),
                crate::error::ConfigErrorKind::OutOfRange {
                    what: "max_bytes",
                    range: "1024 to 1048576".into(),
                },
            ));
        }
        Ok(Self {
            paths: PathGlobs::compile(
                &path.key("paths"),
                &config.paths,
                GlobMode::ContextCaseInsensitive,
            )?,
            max_bytes: config.max_bytes,
        })
    }
}

/// True when any `Content-Type` of `request` is `application/x-www-form-urlencoded` (any case,
/// parameters ignored).
pub(super) fn is_form(request: &RequestHead<'_>) -> bool {
    request.get_all("content-type").any(|v| {
        let media = v.split(|&b| b == b';').next().unwrap_or_default();
        media
            .trim_ascii()
            .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    })
}

/// False when a form `Content-Type` names a charset the filter cannot read as the product does
/// (anything but UTF-8, US-ASCII and ISO-8859-1, in which `username=admin` is the same bytes):
/// Tomcat decodes form parameters in the declared charset, so `charset=UTF-16` would hide
/// them from a byte-level reading.
pub(super) fn form_charset_readable(request: &RequestHead<'_>) -> bool {
    request.get_all("content-type").all(|v| {
        let text = String::from_utf8_lossy(v).to_ascii_lowercase();
        text.split(';').skip(1).all(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return true;
            };
            name.trim() != "charset"
                || matches!(
                    value.trim().trim_matches('"'),
                    "utf-8" | "utf8" | "us-ascii" | "iso-8859-1" | "latin1"
                )
        })
    })
}

/// The declared `Content-Length`, when there is exactly one valid value.
pub(super) fn content_length(request: &RequestHead<'_>) -> Option<usize> {
    let mut values = request.get_all("content-length");
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    std::str::from_utf8(first).ok()?.trim().parse().ok()
}
