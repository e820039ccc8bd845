//! Plugin configuration of the `header-hardening` filter (JSON, `deny_unknown_fields`).
//!
//! ```json
//! {
//!   "virtual_hosts": [{
//!     "name": "identity-server",
//!     "domains": ["*"],
//!     "baseline": "owasp",
//!     "hsts": { "max_age": 63072000, "include_subdomains": true },
//!     "headers": [
//!       { "name": "Server", "set": "gateway" },
//!       { "name": "Content-Security-Policy", "default": "default-src 'self'; frame-ancestors 'none'" }
//!     ],
//!     "routes": [{ "paths": ["/oidc/checksession"], "headers": [{ "name": "X-Frame-Options", "remove": true }] }],
//!     "cache": { "no_store_paths": ["/oauth2/**"], "public_paths": ["/authenticationendpoint/css/**"] },
//!     "logout": { "paths": ["/oidc/logout"] },
//!     "cookies": [{ "names": ["JSESSIONID", "commonAuthId"], "same_site": "Lax" }],
//!     "session_cookies": { "names": ["JSESSIONID"], "min_bits": 128 },
//!     "input_validation": { "paths": ["/commonauth"], "query_params": ["*"] }
//!   }]
//! }
//! ```

use serde::Deserialize;

/// The whole plugin configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderHardeningConfig {
    /// Free text for people; ignored by the filter.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether `x-forwarded-proto: https` counts as a TLS connection for HSTS (default false:
    /// only `connection.tls_version` does). Turn on only where the gateway itself guarantees the
    /// header (Envoy behind a TLS-terminating load balancer with `xff_num_trusted_hops: 1`).
    #[serde(default)]
    pub trust_forwarded_proto: bool,
    /// The virtual hosts, chosen by the request's `:authority` (Envoy's `domains` rules).
    pub virtual_hosts: Vec<VirtualHostConfig>,
    /// The rules for an answer whose request named no configured host, or a malformed one
    /// (its `domains` must be empty). Absent: [`VirtualHostConfig::fallback`], the OWASP
    /// baseline, HSTS on TLS and `no-store` on every answer, so that no answer leaves the
    /// gateway unhardened.
    #[serde(default)]
    pub default_host: Option<VirtualHostConfig>,
}

/// Where a virtual host's header set starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Baseline {
    /// The OWASP Secure Headers Project's recommended headers and remove list.
    #[default]
    Owasp,
    /// Nothing: only the configured `headers` rules.
    None,
}

/// Rules for the responses to one set of domains.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualHostConfig {
    /// A name for logs; defaults to the first domain.
    #[serde(default)]
    pub name: Option<String>,
    /// Envoy-style domains: `host`, `*.suffix`, `prefix*` or `*`; ports are ignored. Not empty
    /// in `virtual_hosts`; absent in `default_host`.
    #[serde(default)]
    pub domains: Vec<String>,
    /// `owasp` (default) or `none`.
    #[serde(default)]
    pub baseline: Baseline,
    /// `Strict-Transport-Security`, sent on TLS connections only (RFC 6797 §7.2).
    #[serde(default)]
    pub hsts: HstsConfig,
    /// Header rules on top of the baseline; a rule for a header the baseline names replaces it.
    #[serde(default)]
    pub headers: Vec<HeaderRule>,
    /// Per-path header rules; the first route whose path glob matches applies on top.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
    /// Cache prevention (`Cache-Control: no-store`, `Pragma: no-cache`, `Expires: 0`).
    #[serde(default)]
    pub cache: CacheConfig,
    /// `Clear-Site-Data` on logout paths.
    #[serde(default)]
    pub logout: Option<LogoutConfig>,
    /// `Set-Cookie` hardening rules; the first rule whose name glob matches a cookie applies.
    /// Default: `JSESSIONID` gets `Secure`, `HttpOnly` and `SameSite=Lax`.
    #[serde(default = "default_cookie_rules")]
    pub cookies: Vec<CookieRule>,
    /// Session-id strength check. Default: `JSESSIONID`, 128 bits, log only.
    #[serde(default)]
    pub session_cookies: SessionCookiesConfig,
    /// Request-side input validation (XSS patterns); off when absent.
    #[serde(default)]
    pub input_validation: Option<InputValidationConfig>,
    /// What happens to a weak value the upstream sent for a header the baseline or a `default`
    /// rule would have added: a `Content-Security-Policy` with `'unsafe-inline'` or
    /// `'unsafe-eval'`, or a security header with an empty value (default `replace`).
    #[serde(default)]
    pub weak_upstream_values: WeakValues,
}

impl VirtualHostConfig {
    /// The built-in `default_host`: the OWASP baseline, HSTS (one year, subdomains) on TLS, and
    /// `Cache-Control: no-store, max-age=0` with `Pragma: no-cache` on every answer (an answer to
    /// a host the configuration does not know is an error page or a local reply).
    pub fn fallback() -> Self {
        Self {
            name: Some("default".to_owned()),
            domains: Vec::new(),
            baseline: Baseline::Owasp,
            hsts: HstsConfig::default(),
            headers: Vec::new(),
            routes: Vec::new(),
            cache: CacheConfig {
                every_dynamic_response: true,
                ..CacheConfig::default()
            },
            logout: None,
            cookies: default_cookie_rules(),
            session_cookies: SessionCookiesConfig::default(),
            input_validation: None,
            weak_upstream_values: WeakValues::Replace,
        }
    }
}

/// What the filter does with a weak upstream value of a security header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeakValues {
    /// Replace it with the configured value (counted as `weak_values_replaced`).
    #[default]
    Replace,
    /// Keep it, count it (`weak_values_kept`) and log it.
    Keep,
}
/// HTTP Strict Transport Security (RFC 6797).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HstsConfig {
    /// Whether the filter sends HSTS on TLS connections (default true). An upstream's HSTS on a
    /// plaintext connection is removed whatever this says.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `max-age`, in seconds (default 63072000, two years as OWASP advises; 0 tells browsers to forget the host).
    #[serde(default = "default_hsts_max_age")]
    pub max_age: u32,
    /// `includeSubDomains` (default true).
    #[serde(default = "yes")]
    pub include_subdomains: bool,
    /// `preload` (default false); needs `include_subdomains` and a `max_age` of a year or more.
    #[serde(default)]
    pub preload: bool,
}

impl Default for HstsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_age: default_hsts_max_age(),
            include_subdomains: true,
            preload: false,
        }
    }
}

/// One header rule: exactly one of `set`, `default` or `remove`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderRule {
    /// The header name (case-insensitive).
    pub name: String,
    /// Sets the header to this value, replacing any the upstream sent.
    #[serde(default)]
    pub set: Option<String>,
    /// Adds the header with this value when the upstream sent none.
    #[serde(default)]
    pub default: Option<String>,
    /// `true` removes every value of the header.
    #[serde(default)]
    pub remove: bool,
}

/// Header rules for some paths.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// Path globs over the normalised request path (see `policies::globs`).
    pub paths: Vec<String>,
    /// Rules applied on top of the virtual host's, replacing those for the same header.
    pub headers: Vec<HeaderRule>,
}

/// When responses must not be stored by any cache (seed guideline "Preventing browser caching").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// Paths whose responses always get `no-store` (sensitive dynamic pages).
    #[serde(default)]
    pub no_store_paths: Vec<String>,
    /// Paths whose responses never get `no-store` automatically (static, public assets, public
    /// metadata such as JWKS and discovery); `no_store_paths` wins over this.
    #[serde(default)]
    pub public_paths: Vec<String>,
    /// `no-store` on every answer outside `public_paths` (default false; the identity provider
    /// presets turn it on: every dynamic answer of an identity provider may carry a token or a
    /// personal page).
    #[serde(default)]
    pub every_dynamic_response: bool,
    /// The `Cache-Control` value a `no-store` answer ends with (default
    /// `no-store, max-age=0`); it must carry the `no-store` directive. It replaces the
    /// upstream's value; `Pragma: no-cache` and `Expires: 0` go with it.
    #[serde(default = "default_no_store_value")]
    pub no_store_value: String,
    /// The `Cache-Control` value set on answers under `public_paths` (for example
    /// `public, max-age=300` on JWKS), replacing the upstream's; absent: the upstream's stays.
    #[serde(default)]
    pub public_cache_control: Option<String>,
    /// `no-store` on any response that sets a cookie (default true).
    #[serde(default = "yes")]
    pub on_set_cookie: bool,
    /// `no-store` on any response to a request that carried `Authorization` (default true).
    #[serde(default = "yes")]
    pub on_authorization: bool,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            no_store_paths: Vec::new(),
            public_paths: Vec::new(),
            every_dynamic_response: false,
            no_store_value: default_no_store_value(),
            public_cache_control: None,
            on_set_cookie: true,
            on_authorization: true,
        }
    }
}

/// `Clear-Site-Data` on logout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogoutConfig {
    /// Logout path globs. Not empty.
    pub paths: Vec<String>,
    /// The header's value (default `"cache", "cookies", "storage"`): quoted directives,
    /// comma-separated.
    #[serde(default = "default_clear_site_data")]
    pub clear_site_data: String,
}

/// `SameSite` attribute values (RFC 6265bis §4.1.2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None` (needs `Secure`).
    None,
}

/// Attributes added to the cookies a rule names (never removed, never weakened: an attribute the
/// upstream already set stays as it is).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CookieRule {
    /// Cookie-name globs (case-sensitive, `*` any run of characters). Not empty.
    pub names: Vec<String>,
    /// Add `Secure` (default true).
    #[serde(default = "yes")]
    pub secure: bool,
    /// Add `HttpOnly` (default true).
    #[serde(default = "yes")]
    pub http_only: bool,
    /// `SameSite` to add when the cookie has none (default `Lax`; `null` adds none).
    #[serde(default = "default_same_site")]
    pub same_site: Option<SameSite>,
}

/// The session-id checks (seed guideline "Increase JSESSIONID length"), and what happens to
/// `Set-Cookie` values the filter cannot read (which might set a session id under any name).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionCookiesConfig {
    /// Cookie-name globs holding session ids (default `["JSESSIONID"]`; empty: no strength or
    /// `Domain` check).
    #[serde(default = "default_session_names")]
    pub names: Vec<String>,
    /// Fewest bits a session id's encoding must be able to carry (default 128), 32 to 1024.
    /// Also checked: an id in a `Location` URL (`;jsessionid=`).
    #[serde(default = "default_min_bits")]
    pub min_bits: u32,
    /// `true` replaces a response that sets a weaker session id with a 502 (default false:
    /// counted and logged).
    #[serde(default)]
    pub strict: bool,
    /// A session cookie whose `Domain` is broader than the request's host (a parent domain,
    /// any `Domain` on an IP-literal host, or one the host does not match): `flag` (default:
    /// counted and logged) or `remove` (its `Domain` attributes are removed: host-only).
    #[serde(default)]
    pub broad_domain: BroadDomain,
    /// A `Set-Cookie` value the filter cannot read (not UTF-8, no name, no `=`), whatever
    /// `names` says: `harden` (default: `Secure`, `HttpOnly` and `SameSite=Lax` appended where
    /// missing) or `drop` (the value is removed from the response).
    #[serde(default)]
    pub unparseable_cookies: UnparseableCookies,
}

impl Default for SessionCookiesConfig {
    fn default() -> Self {
        Self {
            names: default_session_names(),
            min_bits: default_min_bits(),
            strict: false,
            broad_domain: BroadDomain::default(),
            unparseable_cookies: UnparseableCookies::default(),
        }
    }
}

/// What the filter does with a session cookie whose `Domain` is broader than the request's host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadDomain {
    /// Count and log it (`broad_domain_sessions`); the cookie is passed on.
    #[default]
    Flag,
    /// Count and log it, and remove its `Domain` attributes (the cookie becomes host-only).
    Remove,
}

/// What the filter does with a `Set-Cookie` value it cannot read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnparseableCookies {
    /// Append `Secure`, `HttpOnly` and `SameSite=Lax` where missing, keeping every byte.
    #[default]
    Harden,
    /// Remove the value from the response (counted as `cookies_dropped`).
    Drop,
}

pub use crate::mode::Mode;

/// Request-side input validation, in the spirit of WSO2's XSS input validation valve.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputValidationConfig {
    /// `enforce` (default) or `shadow`.
    #[serde(default)]
    pub mode: Mode,
    /// Path globs where requests are checked. Not empty.
    pub paths: Vec<String>,
    /// Request parameter name globs whose names and values are checked (default `["*"]`): the
    /// query string's and, with `form_bodies`, the form body's (the product merges both into one
    /// parameter map, `request.getParameter`).
    #[serde(default = "default_query_params")]
    pub query_params: Vec<String>,
    /// Request headers whose values are checked (default none).
    #[serde(default)]
    pub headers: Vec<String>,
    /// Regular expressions (ASCII case-insensitive, over bytes); default: a built-in XSS set.
    #[serde(default)]
    pub patterns: Option<Vec<String>>,
    /// Status of a rejected request: 400 (default) or 403.
    #[serde(default = "default_reject_status")]
    pub status: u16,
    /// Check `application/x-www-form-urlencoded` request bodies on `paths` too (default false):
    /// the headers go on, the body is held until it is whole and every parameter `query_params`
    /// selects is checked like a query parameter (`form.<name>` in the log). A body longer than
    /// `max_body_bytes` is refused with 413; a form in a charset other than UTF-8, US-ASCII or
    /// ISO-8859-1, or with a `Content-Encoding`, with `status` (fail closed; `shadow` only logs).
    #[serde(default)]
    pub form_bodies: bool,
    /// Largest form body held, in bytes (64 to 1048576; default 8192, the allowlist's bound for
    /// login forms). Envoy's own buffer limit (`per_connection_buffer_limit_bytes`, 1 MiB by
    /// default) must not be lower.
    #[serde(default = "super::validate::default_max_body_bytes")]
    pub max_body_bytes: usize,
}

fn yes() -> bool {
    true
}

fn default_hsts_max_age() -> u32 {
    63_072_000
}

fn default_no_store_value() -> String {
    "no-store, max-age=0".to_owned()
}

fn default_clear_site_data() -> String {
    "\"cache\", \"cookies\", \"storage\"".to_owned()
}

fn default_same_site() -> Option<SameSite> {
    Some(SameSite::Lax)
}

fn default_cookie_rules() -> Vec<CookieRule> {
    vec![CookieRule {
        names: vec!["JSESSIONID".to_owned()],
        secure: true,
        http_only: true,
        same_site: default_same_site(),
    }]
}

fn default_session_names() -> Vec<String> {
    vec!["JSESSIONID".to_owned()]
}

fn default_min_bits() -> u32 {
    128
}

fn default_query_params() -> Vec<String> {
    vec!["*".to_owned()]
}

fn default_reject_status() -> u16 {
    400
}
