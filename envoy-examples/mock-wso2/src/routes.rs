//! The route table: which WSO2 surface a request target names.
//!
//! Matching works on the path exactly as received: nothing is percent-decoded, no dot segments are
//! removed, no slashes are merged and `;` path parameters are kept. So `/carbon/` is the console,
//! but `/%63arbon/`, `//carbon/`, `/carbon;x=1/` and `/CARBON/` fall through to the catch-all: if
//! such a path reaches the mock, the gateway in front of it let an encoded trick through, and the
//! catch-all answer (with its `x-mock-path` header) shows exactly what arrived.

use hyper::Method;

/// The surface of a WSO2 product that a request target names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `GET /carbon/admin/login.jsp`: the management console login page.
    ConsoleLogin,
    /// Anything else under `/carbon/`.
    Carbon,
    /// `/services/NAME`: the SOAP admin services (a WSDL-looking answer naming `NAME`).
    Services(String),
    /// `POST /oauth2/token`.
    Token,
    /// `/oauth2/authorize`: redirects to the login page.
    Authorize,
    /// `/oauth2/jwks`.
    Jwks,
    /// `/oauth2/introspect`.
    Introspect,
    /// `/oauth2/userinfo`.
    UserInfo,
    /// `/oidc/logout`.
    OidcLogout,
    /// `/oidc/checksession`.
    OidcCheckSession,
    /// `/.well-known/openid-configuration` (and WSO2's `/oauth2/token/.well-known/...`).
    Discovery,
    /// `/commonauth`: redirects to the login page and sets `JSESSIONID` and `commonAuthId`.
    CommonAuth,
    /// `/authenticationendpoint/*`: the login page, sets `JSESSIONID`.
    AuthenticationEndpoint,
    /// A web application answering HTML: `accountrecoveryendpoint`, `myaccount` or `console`.
    WebApp(&'static str),
    /// `/samlsso`: a SAML auto-post form.
    SamlSso,
    /// `/fileupload/*`: the CVE-2022-29464 surface.
    FileUpload,
    /// API Manager REST surfaces: `publisher`, `devportal`, `admin` or `api/am`.
    ApiManager(&'static str),
    /// Micro Integrator management API, `/management/*`.
    Management,
    /// `GET /api/health-check/v1.0/health`.
    Health,
    /// A method that the path does not accept; the value is the `Allow` header.
    MethodNotAllowed(&'static str),
    /// Anything else.
    CatchAll,
}

/// A matched route with the tenant it was asked under (`/t/{tenant}/...`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matched<'a> {
    /// The tenant domain from a `/t/{tenant}` prefix, as received.
    pub(crate) tenant: Option<&'a str>,
    /// What the rest of the path names.
    pub(crate) route: Route,
}

impl Matched<'_> {
    /// The path prefix to put before absolute paths in redirects and links: `/t/{tenant}` or "".
    pub(crate) fn prefix(&self) -> String {
        self.tenant.map(|t| format!("/t/{t}")).unwrap_or_default()
    }
}

const HEALTH: &str = "/api/health-check/v1.0/health";
const WEB_APPS: [&str; 3] = ["accountrecoveryendpoint", "myaccount", "console"];
const APIM: [&str; 4] = ["publisher", "devportal", "admin", "api/am"];

/// Matches a raw path (no query) and method against the route table.
pub(crate) fn route<'a>(method: &Method, path: &'a str) -> Matched<'a> {
    let (tenant, rest) = split_tenant(path);
    Matched {
        tenant,
        route: untenanted(method, rest),
    }
}

/// Splits a `/t/{tenant}` prefix off a path. The tenant must be a non-empty segment; `/t/x`
/// alone leaves an empty rest, which matches nothing but the catch-all.
fn split_tenant(path: &str) -> (Option<&str>, &str) {
    let Some(rest) = path.strip_prefix("/t/") else {
        return (None, path);
    };
    let (tenant, rest) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if tenant.is_empty() {
        (None, path)
    } else {
        (Some(tenant), rest)
    }
}

/// `path` is `prefix` itself or a path below it (`prefix/...`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn untenanted(method: &Method, path: &str) -> Route {
    let get = method == Method::GET || method == Method::HEAD;
    if method == Method::CONNECT {
        return Route::MethodNotAllowed("GET, HEAD, POST, PUT, DELETE, OPTIONS");
    }
    match path {
        HEALTH if get => return Route::Health,
        "/carbon/admin/login.jsp" if get => return Route::ConsoleLogin,
        "/oauth2/token" if method == Method::POST => return Route::Token,
        "/oauth2/token" => return Route::MethodNotAllowed("POST"),
        "/oauth2/authorize" => return Route::Authorize,
        "/oauth2/jwks" => return Route::Jwks,
        "/oauth2/introspect" => return Route::Introspect,
        "/oauth2/userinfo" => return Route::UserInfo,
        "/oidc/logout" => return Route::OidcLogout,
        "/oidc/checksession" => return Route::OidcCheckSession,
        "/.well-known/openid-configuration" | "/oauth2/token/.well-known/openid-configuration" => {
            return Route::Discovery;
        }
        _ => {}
    }
    if under(path, "/carbon") {
        Route::Carbon
    } else if let Some(rest) = path.strip_prefix("/services/") {
        let name = rest.split('/').next().unwrap_or_default();
        Route::Services(name.to_owned())
    } else if path == "/services" {
        Route::Services(String::new())
    } else if under(path, "/commonauth") {
        Route::CommonAuth
    } else if under(path, "/authenticationendpoint") {
        Route::AuthenticationEndpoint
    } else if let Some(app) = WEB_APPS.iter().find(|a| under_segment(path, a)) {
        Route::WebApp(app)
    } else if under(path, "/samlsso") {
        Route::SamlSso
    } else if under(path, "/fileupload") {
        Route::FileUpload
    } else if let Some(surface) = APIM.iter().find(|s| under_segment(path, s)) {
        Route::ApiManager(surface)
    } else if under(path, "/management") {
        Route::Management
    } else {
        Route::CatchAll
    }
}

/// `path` is `/name` or below it.
fn under_segment(path: &str, name: &str) -> bool {
    path.strip_prefix('/').is_some_and(|p| under(p, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: Method, path: &str) -> Route {
        route(&method, path).route
    }

    #[test]
    fn table() {
        use Route::*;
        let service = |name: &str| Services(name.to_owned());
        let cases = [
            ("GET /carbon/admin/login.jsp", ConsoleLogin),
            ("HEAD /carbon/admin/login.jsp", ConsoleLogin),
            ("POST /carbon/admin/login.jsp", Carbon),
            ("GET /carbon", Carbon),
            ("GET /carbon/", Carbon),
            ("GET /carbon/user/index.jsp", Carbon),
            ("GET /carbon/x;jsessionid=1", Carbon),
            ("GET /carbonx", CatchAll),
            ("GET /services", service("")),
            ("GET /services/", service("")),
            (
                "GET /services/RemoteUserStoreManagerService",
                service("RemoteUserStoreManagerService"),
            ),
            ("POST /services/Version/getVersion", service("Version")),
            ("POST /oauth2/token", Token),
            ("GET /oauth2/token", MethodNotAllowed("POST")),
            ("GET /oauth2/authorize", Authorize),
            ("GET /oauth2/jwks", Jwks),
            ("POST /oauth2/introspect", Introspect),
            ("GET /oauth2/userinfo", UserInfo),
            ("GET /oauth2/other", CatchAll),
            ("GET /oidc/logout", OidcLogout),
            ("GET /oidc/checksession", OidcCheckSession),
            ("GET /.well-known/openid-configuration", Discovery),
            (
                "GET /oauth2/token/.well-known/openid-configuration",
                Discovery,
            ),
            ("GET /commonauth", CommonAuth),
            ("POST /commonauth", CommonAuth),
            (
                "GET /authenticationendpoint/login.do",
                AuthenticationEndpoint,
            ),
            (
                "GET /accountrecoveryendpoint/x.do",
                WebApp("accountrecoveryendpoint"),
            ),
            ("GET /myaccount/", WebApp("myaccount")),
            ("GET /console", WebApp("console")),
            ("POST /samlsso", SamlSso),
            ("POST /fileupload/toolsAny", FileUpload),
            ("GET /publisher/apis", ApiManager("publisher")),
            ("GET /devportal", ApiManager("devportal")),
            ("GET /admin/settings", ApiManager("admin")),
            ("GET /api/am/publisher/v4/apis", ApiManager("api/am")),
            ("GET /api/other", CatchAll),
            ("GET /management/apis", Management),
            ("GET /api/health-check/v1.0/health", Health),
            ("POST /api/health-check/v1.0/health", CatchAll),
            ("GET /", CatchAll),
            ("OPTIONS *", CatchAll),
            (
                "CONNECT /carbon",
                MethodNotAllowed("GET, HEAD, POST, PUT, DELETE, OPTIONS"),
            ),
        ];
        for (request, want) in cases {
            let (method, path) = request.split_once(' ').unwrap();
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            assert_eq!(r(method.clone(), path), want, "{request}");
            if path.starts_with('/') {
                let tenanted = format!("/t/x.com{path}");
                assert_eq!(r(method, &tenanted), want, "{request} under a tenant");
            }
        }
    }

    #[test]
    fn raw_paths_are_not_normalised() {
        for path in [
            "/a;x=1/b",
            "/%2e%2e/",
            "//x",
            "//carbon/",
            "/%63arbon/admin/login.jsp",
            "/carbon;x=1/admin/login.jsp",
            "/CARBON/",
            "/a/../carbon/",
            "/services%2fx",
            "/t//carbon/",
        ] {
            assert_eq!(r(Method::GET, path), Route::CatchAll, "{path}");
        }
    }

    #[test]
    fn tenant_prefix_behaves_like_untenanted() {
        let m = route(&Method::GET, "/t/wso2.com/carbon/admin/login.jsp");
        assert_eq!(m.tenant, Some("wso2.com"));
        assert_eq!(m.route, Route::ConsoleLogin);
        assert_eq!(m.prefix(), "/t/wso2.com");
        let m = route(&Method::GET, "/t/a");
        assert_eq!((m.tenant, m.route), (Some("a"), Route::CatchAll));
        let m = route(&Method::GET, "/carbon/");
        assert_eq!((m.tenant, m.prefix()), (None, String::new()));
    }
}
