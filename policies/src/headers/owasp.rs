//! The OWASP Secure Headers Project's recommendations, as data: the headers to add
//! (`ci/headers_add.json`) and the headers that fingerprint a stack (`ci/headers_remove.json`),
//! both as of the project's 2026-07-19 update (`last_update_utc`). The end-to-end grade reads
//! OWASP's files themselves (`cli/data/owasp/`), so a value here that drifts from them fails it.
//!
//! `Strict-Transport-Security`, `Cache-Control` and `Clear-Site-Data` are in OWASP's add list
//! but depend on the request (TLS, sensitive paths, logout), so they have their own settings
//! (`hsts`, `cache`, `logout`) instead of a baseline entry.

/// How the baseline applies a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineAction {
    /// Replace whatever the upstream sent.
    Set,
    /// Add only when the upstream sent none (the application may know better, for example its
    /// own Content-Security-Policy).
    Default,
}

/// OWASP's `Permissions-Policy` value.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), autoplay=(), camera=(), \
cross-origin-isolated=(), display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), \
gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), payment=(), \
picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(self), usb=(), \
web-share=(), xr-spatial-tracking=(), clipboard-read=(), clipboard-write=(), gamepad=(), hid=(), \
idle-detection=(), interest-cohort=(), serial=(), unload=()";

/// OWASP's `Content-Security-Policy` value.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; form-action 'self'; \
base-uri 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests";

/// The baseline's headers: `(name, value, action)`, names lower-case.
pub const ADD: &[(&str, &str, BaselineAction)] = &[
    (
        "content-security-policy",
        CONTENT_SECURITY_POLICY,
        BaselineAction::Default,
    ),
    (
        "cross-origin-embedder-policy",
        "require-corp",
        BaselineAction::Default,
    ),
    (
        "cross-origin-opener-policy",
        "same-origin",
        BaselineAction::Default,
    ),
    (
        "cross-origin-resource-policy",
        "same-origin",
        BaselineAction::Default,
    ),
    (
        "permissions-policy",
        PERMISSIONS_POLICY,
        BaselineAction::Default,
    ),
    ("referrer-policy", "no-referrer", BaselineAction::Set),
    ("x-content-type-options", "nosniff", BaselineAction::Set),
    ("x-dns-prefetch-control", "off", BaselineAction::Set),
    ("x-frame-options", "DENY", BaselineAction::Set),
    (
        "x-permitted-cross-domain-policies",
        "none",
        BaselineAction::Set,
    ),
    // OWASP: "the X-XSS-Protection header has been deprecated by modern browsers and its use
    // can introduce additional security issues on the client side. As such, it is recommended
    // to set the header as X-XSS-Protection: 0 in order to disable the XSS Auditor."
    ("x-xss-protection", "0", BaselineAction::Set),
];

/// Headers that reveal the stack behind the gateway, lower-case (OWASP's remove list).
pub const REMOVE: &[&str] = &[
    "$wsep",
    "host-header",
    "k-proxy-request",
    "liferay-portal",
    "oraclecommercecloud-version",
    "pega-host",
    "powered-by",
    "product",
    "server",
    "sourcemap",
    "x-aspnet-version",
    "x-aspnetmvc-version",
    "x-atmosphere-error",
    "x-atmosphere-first-request",
    "x-atmosphere-tracking-id",
    "x-b3-parentspanid",
    "x-b3-sampled",
    "x-b3-spanid",
    "x-b3-traceid",
    "x-beserver",
    "x-cf-powered-by",
    "x-cms",
    "x-calculatedbetarget",
    "x-cocoon-version",
    "x-content-encoded-by",
    "x-diaginfo",
    "x-envoy-attempt-count",
    "x-envoy-external-address",
    "x-envoy-internal",
    "x-envoy-original-dst-host",
    "x-envoy-upstream-service-time",
    "x-feserver",
    "x-framework",
    "x-generated-by",
    "x-generator",
    "x-jitsi-release",
    "x-kubernetes-pf-flowschema-ui",
    "x-kubernetes-pf-prioritylevel-uid",
    "x-litespeed-cache",
    "x-litespeed-purge",
    "x-litespeed-tag",
    "x-litespeed-vary",
    "x-litespeed-cache-control",
    "x-mod-pagespeed",
    "x-nextjs-cache",
    "x-nextjs-matched-path",
    "x-nextjs-page",
    "x-nextjs-redirect",
    "x-owa-version",
    "x-old-content-length",
    "x-oneagent-js-injection",
    "x-page-speed",
    "x-php-version",
    "x-powered-by",
    "x-powered-by-plesk",
    "x-powered-cms",
    "x-redirect-by",
    "x-server-powered-by",
    "x-sourcefiles",
    "x-sourcemap",
    "x-turbo-charged-by",
    "x-umbraco-version",
    "x-varnish-backend",
    "x-varnish-server",
    "x-dtagentid",
    "x-dthealthcheck",
    "x-dtinjectedservlet",
    "x-ruxit-js-agent",
];

/// True when `name` (any case) is on OWASP's remove list.
pub fn is_fingerprinting(name: &str) -> bool {
    REMOVE.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// The headers of every answer the gateway makes itself (a filter's local response: 400, 401,
/// 403, 413, 414, 421, 308, 500, 502), names lower-case. A local response is a short
/// `text/plain` body that nothing may frame, run, sniff or store, so its policy is stricter than
/// the baseline's: `default-src 'none'`. They are written by the filter that answers, whatever
/// the filter order: Envoy does not run a Wasm filter's response callback for a request its
/// request callback never saw (Envoy `source/extensions/common/wasm/context.cc`,
/// `Context::encodeHeaders`: `if (!in_vm_context_created_ || failure_local_reply_sent_) return
/// Continue;`), so a `header-hardening` placed after the answering filter never sees the answer.
pub const LOCAL_REPLY: &[(&str, &str)] = &[
    ("content-type", "text/plain; charset=utf-8"),
    ("cache-control", "no-store, max-age=0"),
    ("pragma", "no-cache"),
    (
        "content-security-policy",
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; \
         upgrade-insecure-requests",
    ),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("x-dns-prefetch-control", "off"),
    ("x-frame-options", "DENY"),
    ("x-permitted-cross-domain-policies", "none"),
    ("x-xss-protection", "0"),
];

/// `Strict-Transport-Security` of a local response on a TLS connection (RFC 6797 §6.1; OWASP's
/// value: two years, subdomains), unless `header-hardening` sees the answer and sets its configured value.
pub const LOCAL_REPLY_HSTS: &str = "max-age=63072000; includeSubDomains";
