//! The requests of the header audit: every route of the dmz-gateway example and every kind of
//! local reply its filters make, each with the status expected on the plaintext listeners
//! (10000, 10001) and on the HTTPS front door (10443); `None` where the request does not apply.

/// What caching an answer must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cache {
    /// A dynamic answer of an identity provider, or a local reply: `no-store, max-age=0` and
    /// `Pragma: no-cache`.
    NoStore,
    /// Public metadata (JWKS, discovery): the example's `public, max-age=300`.
    Public,
}

/// A request body.
#[derive(Debug, Clone, Copy)]
pub(super) enum Body {
    None,
    /// An urlencoded form of this many bytes (`a=aaaa...`).
    FormOfBytes(usize),
    /// This urlencoded form.
    Form(&'static str),
}

/// One request of the audit.
pub(super) struct Route {
    pub(super) label: &'static str,
    pub(super) method: &'static str,
    pub(super) target: &'static str,
    pub(super) headers: &'static [(&'static str, &'static str)],
    pub(super) body: Body,
    /// Bytes of `a` appended to the target (a target over context-allowlist's 8192 bytes).
    pub(super) pad_target: usize,
    /// Status on the plaintext listeners; `None`: not sent there.
    pub(super) plain: Option<u16>,
    /// Status on the HTTPS listener; `None`: not sent there.
    pub(super) tls: Option<u16>,
    /// The host (SNI and `Host`) on the HTTPS listener, when not `is.gateway.test`.
    pub(super) tls_host: Option<&'static str>,
    /// Sent over HTTP/1.1 only: Envoy's HTTP/2 codec resets a stream whose `:authority` is
    /// malformed before any filter runs, and resets the stream of a 413 sent while the client
    /// still sends its body (curl then reports a framing error, not the answer).
    pub(super) http1_only: bool,
    /// The answer is header-hardening's own (input validation): not made when it is disabled.
    pub(super) by_header_hardening: bool,
    /// A plaintext port other than the listeners under audit (the redirect listener).
    pub(super) port: Option<u16>,
    pub(super) cache: Cache,
    /// Whether the answer is the upstream's (then the same request straight to the mock must
    /// fail the audit).
    pub(super) upstream: bool,
}

const fn route(label: &'static str, method: &'static str, target: &'static str) -> Route {
    Route {
        label,
        method,
        target,
        headers: &[],
        body: Body::None,
        pad_target: 0,
        plain: Some(200),
        tls: Some(200),
        tls_host: None,
        http1_only: false,
        by_header_hardening: false,
        port: None,
        cache: Cache::NoStore,
        upstream: true,
    }
}

const fn local(label: &'static str, method: &'static str, target: &'static str) -> Route {
    Route {
        upstream: false,
        ..route(label, method, target)
    }
}

const BASIC_CLIENT: &[(&str, &str)] = &[("authorization", "Basic Y2xpZW50OnNlY3JldA==")];
const FORM: &[(&str, &str)] = &[("content-type", "application/x-www-form-urlencoded")];
const BASIC_ADMIN: &[(&str, &str)] = &[("authorization", "Basic YWRtaW46YWRtaW4=")];

pub(super) const ROUTES: &[Route] = &[
    Route {
        plain: Some(302),
        tls: Some(302),
        ..route(
            "authorize",
            "GET",
            "/oauth2/authorize?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
        )
    },
    Route {
        headers: BASIC_CLIENT,
        ..route("token", "POST", "/oauth2/token")
    },
    Route {
        cache: Cache::Public,
        ..route("jwks", "GET", "/oauth2/jwks")
    },
    Route {
        cache: Cache::Public,
        ..route("discovery", "GET", "/.well-known/openid-configuration")
    },
    Route {
        cache: Cache::Public,
        ..route(
            "oidc discovery",
            "GET",
            "/oauth2/token/.well-known/openid-configuration",
        )
    },
    route("checksession", "GET", "/oidc/checksession?client_id=app"),
    route("logout", "GET", "/oidc/logout"),
    Route {
        plain: Some(302),
        tls: Some(302),
        ..route("commonauth", "POST", "/commonauth")
    },
    route(
        "login page",
        "GET",
        "/authenticationendpoint/login.do?sessionDataKey=0f8fad5b",
    ),
    route("samlsso", "GET", "/samlsso"),
    route(
        "recovery",
        "GET",
        "/accountrecoveryendpoint/recoverpassword.do",
    ),
    route("myaccount", "GET", "/myaccount/"),
    Route {
        plain: Some(302),
        tls: Some(302),
        ..route("tenant commonauth", "GET", "/t/example.com/commonauth")
    },
    route("health", "GET", "/api/health-check/v1.0/health"),
    Route {
        headers: &[("x-forwarded-proto", "https")],
        cache: Cache::Public,
        ..route("xfp spoof", "GET", "/oauth2/jwks")
    },
    // Input validation: what passes (benign look-alikes) and what is refused (below).
    route(
        "benign look-alikes",
        "GET",
        "/authenticationendpoint/login.do?sessionDataKey=0f8f&n=Johnson%20%26%20Johnson&c=a%20%3C%203&r=%26%23600%3B&w=%3Cscripted&o=onboarding%3D1",
    ),
    Route {
        headers: FORM,
        body: Body::Form("username=alice%40example.com&password=a%3Cb%20%26%20c"),
        plain: Some(302),
        tls: Some(302),
        ..route("benign login form", "POST", "/commonauth")
    },
    // Local replies, one of each kind and filter.
    Route {
        plain: Some(403),
        tls: Some(403),
        ..local("403 admin context", "GET", "/carbon/admin/login.jsp")
    },
    Route {
        plain: Some(403),
        tls: Some(403),
        ..local("403 admin service", "GET", "/services/Version")
    },
    Route {
        plain: Some(403),
        tls: Some(403),
        ..local("403 fileupload", "POST", "/fileupload/toolsAny")
    },
    Route {
        headers: &[("host", "evil.example")],
        plain: Some(403),
        tls: Some(421),
        ..local("unknown host", "GET", "/oauth2/jwks")
    },
    Route {
        headers: &[("host", "localhost")],
        plain: None,
        tls: Some(421),
        ..local("421 sni/host mismatch", "GET", "/oauth2/jwks")
    },
    Route {
        headers: &[("host", "bad@host")],
        http1_only: true,
        plain: Some(400),
        tls: Some(400),
        ..local("malformed host", "GET", "/oauth2/jwks")
    },
    Route {
        headers: BASIC_ADMIN,
        plain: Some(401),
        tls: Some(401),
        ..local("401 admin:admin", "GET", "/oauth2/userinfo")
    },
    Route {
        by_header_hardening: true,
        plain: Some(400),
        tls: Some(400),
        ..local(
            "400 input validation",
            "GET",
            "/commonauth?x=%3Cscript%3Ealert(1)%3C/script%3E",
        )
    },
    Route {
        by_header_hardening: true,
        plain: Some(400),
        tls: Some(400),
        ..local(
            "400 entity-encoded xss",
            "GET",
            "/commonauth?x=%26lt%3Bscript%26gt%3Balert(1)%26lt%3B/script%26gt%3B",
        )
    },
    Route {
        by_header_hardening: true,
        plain: Some(400),
        tls: Some(400),
        ..local(
            "400 double-encoded xss",
            "GET",
            "/authenticationendpoint/login.do?x=%253Cimg%2520src%253Dx%2520onerror%253Dalert(1)%253E",
        )
    },
    Route {
        by_header_hardening: true,
        plain: Some(400),
        tls: Some(400),
        ..local(
            "400 javascript: href",
            "GET",
            "/authenticationendpoint/login.do?x=%3Ca%20href%3D%22jav%26%23x09%3Bascript%3Aalert(1)%22%3E",
        )
    },
    Route {
        by_header_hardening: true,
        headers: FORM,
        body: Body::Form("username=%3Csvg%2Fonload%3Dalert(1)%3E&password=x"),
        plain: Some(400),
        tls: Some(400),
        ..local("400 xss in login form", "POST", "/commonauth")
    },
    Route {
        plain: Some(400),
        tls: Some(400),
        ..local(
            "400 malformed parameters",
            "GET",
            "/commonauth?username=%zz&password=x",
        )
    },
    Route {
        headers: &[("content-type", "application/x-www-form-urlencoded")],
        body: Body::FormOfBytes(9000),
        http1_only: true,
        plain: Some(413),
        tls: Some(413),
        ..local("413 login form", "POST", "/commonauth")
    },
    Route {
        plain: Some(414),
        tls: Some(414),
        pad_target: 9000,
        ..local("414 long target", "GET", "/oauth2/jwks?q=")
    },
    Route {
        plain: Some(308),
        tls: None,
        port: Some(10080),
        ..local("308 to https", "GET", "/oauth2/jwks")
    },
    Route {
        plain: None,
        tls: Some(502),
        tls_host: Some("legacy.gateway.test"),
        ..local("502 default certificate", "GET", "/oauth2/jwks")
    },
];
