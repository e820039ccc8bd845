//! What each route answers: small HTML, XML and JSON bodies that look like a WSO2 product's.
//!
//! No cache headers anywhere (real WSO2 sends `no-store` on the token endpoint): adding them is
//! the gateway's header hardening's job, and tests check that it does.

use hyper::StatusCode;
use hyper::header::ALLOW;
use serde_json::json;

use crate::ids::{self, RandomError};
use crate::reply::{Reply, markup_escape};
use crate::routes::{Matched, Route};

/// What a reply may depend on besides the route.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The node name (`--node`).
    pub(crate) node: &'a str,
    /// Random bytes in a `JSESSIONID` (`--session-id-bytes`).
    pub(crate) session_id_bytes: usize,
    /// The request target as received, for the catch-all answer.
    pub(crate) target: &'a str,
}

/// WSO2's default public base URL, used in the discovery document.
const BASE_URL: &str = "https://localhost:9443";

/// A JWK modulus (the RFC 7517 example key): the mock signs nothing, it only looks the part.
const JWK_N: &str = concat!(
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1",
    "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4",
    "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO",
    "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF",
    "Cur-kEgU8awapJzKnqDKgw",
);

/// Builds the reply for a matched route.
pub(crate) fn reply(matched: &Matched<'_>, cx: &Context<'_>) -> Result<Reply, RandomError> {
    let prefix = matched.prefix();
    let login = format!("{prefix}/authenticationendpoint/login.do");
    Ok(match &matched.route {
        Route::ConsoleLogin => Reply::html(page(
            "WSO2 Management Console",
            "<form method=\"post\" action=\"login_action.jsp\">\
             <input name=\"username\"><input name=\"password\" type=\"password\">\
             <input type=\"submit\" value=\"Sign-in\"></form>",
        )),
        Route::Carbon => Reply::html(page("WSO2 Management Console", "<p>Carbon</p>")),
        Route::Services(name) => Reply::xml(wsdl(name)),
        Route::Token => Reply::json(&json!({
            "access_token": ids::uuid()?,
            "token_type": "Bearer",
            "expires_in": 3600,
        })),
        Route::Authorize => Reply::found(&format!(
            "{login}?commonAuthCallerPath=%2Foauth2%2Fauthorize&forceAuth=false\
             &passiveAuth=false&sessionDataKey={}&type=oidc",
            ids::uuid()?
        )),
        Route::Jwks => Reply::json(&json!({"keys": [{
            "kty": "RSA", "kid": "mock-wso2", "use": "sig", "alg": "RS256",
            "n": JWK_N,
            "e": "AQAB",
        }]})),
        Route::Introspect => Reply::json(&json!({"active": false})),
        Route::UserInfo => Reply::json(&json!({"sub": "admin"})),
        Route::OidcLogout => {
            Reply::html(page("Logout", "<p>You have successfully logged out.</p>"))
        }
        Route::OidcCheckSession => Reply::html(page("OIDC Check Session", "<script></script>")),
        Route::Discovery => Reply::json(&discovery(&prefix)),
        Route::CommonAuth => {
            let mut reply = Reply::found(&format!("{login}?sessionDataKey={}", ids::uuid()?));
            reply.cookie("JSESSIONID", &ids::session_id(cx.session_id_bytes)?);
            reply.cookie("commonAuthId", &ids::uuid()?);
            reply
        }
        Route::AuthenticationEndpoint => {
            let mut reply = Reply::html(page(
                "WSO2 Identity Server",
                "<form method=\"post\" action=\"../commonauth\">\
                 <input name=\"username\"><input name=\"password\" type=\"password\">\
                 <input type=\"submit\" value=\"Sign In\"></form>",
            ));
            reply.cookie("JSESSIONID", &ids::session_id(cx.session_id_bytes)?);
            reply
        }
        Route::WebApp(app) => Reply::html(page(app, "<div id=\"root\"></div>")),
        Route::SamlSso => Reply::html(page(
            "Working...",
            "<form method=\"post\" action=\"https://sp.example.com/acs\">\
             <input type=\"hidden\" name=\"SAMLResponse\" value=\"PHNhbWxwOlJlc3BvbnNlLz4=\">\
             <noscript><input type=\"submit\" value=\"Continue\"></noscript></form>\
             <script>document.forms[0].submit();</script>",
        )),
        Route::FileUpload => Reply::text(StatusCode::OK, "File upload service\n".into()),
        Route::ApiManager(surface) => Reply::json(&json!({
            "product": "wso2-apim", "surface": surface, "count": 0, "list": [],
        })),
        Route::Management => Reply::json(&json!({
            "product": "wso2-mi", "count": 0, "list": [],
        })),
        Route::Health => Reply::json(&json!({"health": [{"key": "sample", "value": "ok"}]})),
        Route::MethodNotAllowed(allow) => {
            let mut reply = Reply::text(
                StatusCode::METHOD_NOT_ALLOWED,
                "HTTP method not allowed\n".into(),
            );
            reply.push(ALLOW, allow);
            reply
        }
        Route::CatchAll => Reply::text(
            StatusCode::OK,
            format!("mock-wso2 {}: {}\n", cx.node, cx.target),
        ),
    })
}

/// A small HTML page; `title` is escaped, `body` is trusted markup.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"UTF-8\"><title>{}</title></head>\
         <body>{body}</body></html>\n",
        markup_escape(title)
    )
}

/// A WSDL-looking document naming the service.
fn wsdl(name: &str) -> String {
    let name = markup_escape(name);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" \
         xmlns:soap=\"http://schemas.xmlsoap.org/wsdl/soap/\" \
         targetNamespace=\"http://service.ws.um.carbon.wso2.org\">\
         <wsdl:service name=\"{name}\"><wsdl:port name=\"{name}HttpsSoap11Endpoint\">\
         <soap:address location=\"{BASE_URL}/services/{name}.{name}HttpsSoap11Endpoint/\"/>\
         </wsdl:port></wsdl:service></wsdl:definitions>\n"
    )
}

/// The OpenID Connect discovery document, with WSO2's endpoint layout.
fn discovery(prefix: &str) -> serde_json::Value {
    let base = format!("{BASE_URL}{prefix}");
    json!({
        "issuer": format!("{base}/oauth2/token"),
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userinfo"),
        "jwks_uri": format!("{base}/oauth2/jwks"),
        "introspection_endpoint": format!("{base}/oauth2/introspect"),
        "end_session_endpoint": format!("{base}/oidc/logout"),
        "check_session_iframe": format!("{base}/oidc/checksession"),
        "response_types_supported": ["code", "id_token", "code id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
    })
}

#[cfg(test)]
mod tests {
    use hyper::Method;
    use hyper::header::{CONTENT_TYPE, LOCATION, SET_COOKIE};

    use super::*;
    use crate::routes::route;

    fn get(method: Method, path: &str) -> Reply {
        let cx = Context {
            node: "n1",
            session_id_bytes: 16,
            target: path,
        };
        reply(&route(&method, path), &cx).unwrap()
    }

    fn header<'a>(reply: &'a Reply, name: &str) -> Vec<&'a str> {
        let values = reply.headers.iter().filter(|(n, _)| n == name);
        values.map(|(_, v)| v.to_str().unwrap()).collect()
    }

    fn body(reply: &Reply) -> &str {
        std::str::from_utf8(&reply.body).unwrap()
    }

    #[test]
    fn console_login_page() {
        let r = get(Method::GET, "/carbon/admin/login.jsp");
        assert_eq!(r.status, StatusCode::OK);
        assert!(body(&r).contains("<title>WSO2 Management Console</title>"));
        assert!(header(&r, "content-type")[0].starts_with("text/html"));
    }

    #[test]
    fn services_name_the_service_escaped() {
        let r = get(Method::GET, "/services/RemoteUserStoreManagerService");
        assert!(header(&r, CONTENT_TYPE.as_str())[0].starts_with("text/xml"));
        assert!(body(&r).contains("name=\"RemoteUserStoreManagerService\""));
        let r = get(Method::GET, "/services/a\"<b");
        assert!(body(&r).contains("name=\"a&quot;&lt;b\""));
    }

    #[test]
    fn token_has_no_cache_headers() {
        let r = get(Method::POST, "/oauth2/token");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["expires_in"], 3600);
        assert_eq!(v["access_token"].as_str().unwrap().len(), 36);
        assert_eq!(r.headers.len(), 1, "{:?}", r.headers);
    }

    #[test]
    fn commonauth_sets_tomcat_cookies_and_redirects() {
        let r = get(Method::POST, "/t/wso2.com/commonauth");
        assert_eq!(r.status, StatusCode::FOUND);
        let location = header(&r, LOCATION.as_str())[0];
        assert!(
            location.starts_with("/t/wso2.com/authenticationendpoint/login.do?sessionDataKey=")
        );
        let cookies = header(&r, SET_COOKIE.as_str());
        assert_eq!(cookies.len(), 2);
        let jsession = cookies[0].strip_prefix("JSESSIONID=").unwrap();
        assert!(jsession.ends_with("; Path=/; HttpOnly"));
        assert_eq!(jsession.split(';').next().unwrap().len(), 32);
        assert!(cookies[1].starts_with("commonAuthId="));
        for c in cookies {
            assert!(!c.contains("Secure") && !c.contains("SameSite"), "{c}");
        }
    }

    #[test]
    fn authenticationendpoint_sets_jsessionid() {
        let r = get(Method::GET, "/authenticationendpoint/login.do");
        assert_eq!(r.status, StatusCode::OK);
        assert!(header(&r, "set-cookie")[0].starts_with("JSESSIONID="));
    }

    #[test]
    fn authorize_redirects_to_login() {
        let r = get(Method::GET, "/oauth2/authorize");
        assert_eq!(r.status, StatusCode::FOUND);
        assert!(header(&r, "location")[0].starts_with("/authenticationendpoint/login.do?"));
    }

    #[test]
    fn health_and_catch_all() {
        let r = get(Method::GET, "/api/health-check/v1.0/health");
        assert_eq!(body(&r), r#"{"health":[{"key":"sample","value":"ok"}]}"#);
        let r = get(Method::GET, "/%2e%2e/x");
        assert_eq!(body(&r), "mock-wso2 n1: /%2e%2e/x\n");
    }

    #[test]
    fn discovery_under_tenant() {
        let r = get(Method::GET, "/t/a.com/.well-known/openid-configuration");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["issuer"], "https://localhost:9443/t/a.com/oauth2/token");
    }

    #[test]
    fn token_get_is_405() {
        let r = get(Method::GET, "/oauth2/token");
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(header(&r, "allow"), ["POST"]);
    }
}
