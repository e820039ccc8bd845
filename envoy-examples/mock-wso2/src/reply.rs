//! A reply under construction and the headers every reply carries.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue, LOCATION, SERVER, SET_COOKIE};
use hyper::{Response, StatusCode};

/// What real WSO2 products send as `Server`.
pub(crate) const SERVER_NAME: &str = "WSO2 Carbon Server";
/// Names the mock node that answered, so tests can tell it from a gateway's local response.
pub(crate) const X_MOCK_UPSTREAM: HeaderName = HeaderName::from_static("x-mock-upstream");
/// The request target exactly as the mock received it.
pub(crate) const X_MOCK_PATH: HeaderName = HeaderName::from_static("x-mock-path");
/// Where WSO2 would land the request: `<webapp> <path>`, or `- -` when Tomcat refuses it.
pub(crate) const X_MOCK_DISPATCH: HeaderName = HeaderName::from_static("x-mock-dispatch");
/// The tenant a tenant- or organisation-qualified request was asked under.
pub(crate) const X_MOCK_TENANT: HeaderName = HeaderName::from_static("x-mock-tenant");
/// `true` when the landing is an admin surface, else `false`.
pub(crate) const X_MOCK_ADMIN: HeaderName = HeaderName::from_static("x-mock-admin");

/// A status, headers in order (duplicates kept) and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The status code.
    pub(crate) status: StatusCode,
    /// Headers in the order they are added.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The body; its length becomes `Content-Length`.
    pub(crate) body: Bytes,
}

impl Reply {
    /// A reply with a status and a `Content-Type`.
    pub(crate) fn new(status: StatusCode, content_type: &'static str, body: String) -> Self {
        Reply {
            status,
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body: Bytes::from(body),
        }
    }

    /// 200 `text/html`.
    pub(crate) fn html(body: String) -> Self {
        Self::new(StatusCode::OK, "text/html;charset=UTF-8", body)
    }

    /// 200 `application/json`.
    pub(crate) fn json(value: &serde_json::Value) -> Self {
        Self::new(StatusCode::OK, "application/json", value.to_string())
    }

    /// 200 `text/xml`.
    pub(crate) fn xml(body: String) -> Self {
        Self::new(StatusCode::OK, "text/xml;charset=UTF-8", body)
    }

    /// A `text/plain` reply.
    pub(crate) fn text(status: StatusCode, body: String) -> Self {
        Self::new(status, "text/plain;charset=UTF-8", body)
    }

    /// 302 to `location`, with an empty body.
    pub(crate) fn found(location: &str) -> Self {
        let mut reply = Reply {
            status: StatusCode::FOUND,
            headers: Vec::new(),
            body: Bytes::new(),
        };
        reply.push(LOCATION, location);
        reply
    }

    /// Adds a header. Values built here are plain ASCII; one that is not valid is replaced by
    /// its escaped form rather than dropped.
    pub(crate) fn push(&mut self, name: HeaderName, value: &str) {
        self.headers.push((name, header_value(value.as_bytes())));
    }

    /// Adds a Tomcat-style session cookie: `HttpOnly`, no `Secure`, no `SameSite`.
    pub(crate) fn cookie(&mut self, name: &str, value: &str) {
        self.push(SET_COOKIE, &format!("{name}={value}; Path=/; HttpOnly"));
    }

    /// Turns the reply into a response with the headers every reply carries: `Server` (unless
    /// the reply has its own), `x-mock-upstream: node` and `x-mock-path: target`.
    pub(crate) fn finish(self, node: &HeaderValue, target: &[u8]) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        if !headers.contains_key(SERVER) {
            headers.insert(SERVER, HeaderValue::from_static(SERVER_NAME));
        }
        headers.insert(X_MOCK_UPSTREAM, node.clone());
        headers.insert(X_MOCK_PATH, header_value(target));
        response
    }
}

/// `bytes` as a header value, or, if it holds bytes a header cannot (controls), its escaped form.
pub(crate) fn header_value(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).unwrap_or_else(|_| {
        HeaderValue::from_str(&escape(bytes)).unwrap_or(HeaderValue::from_static("-"))
    })
}

/// Escapes everything but printable ASCII (and `\`) as `\xNN`, for log lines and header values.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_graphic() && b != b'\\' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Escapes text for HTML and XML bodies.
pub(crate) fn markup_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_adds_common_headers_after_the_reply_headers() {
        let mut reply = Reply::html("<p>x</p>".into());
        reply.cookie("A", "1");
        reply.cookie("B", "2");
        let node = HeaderValue::from_static("n1");
        let resp = reply.finish(&node, b"/a;x=1/%2e%2e?q=1");
        let h = resp.headers();
        assert_eq!(h[SERVER], SERVER_NAME);
        assert_eq!(h[X_MOCK_UPSTREAM], "n1");
        assert_eq!(h[X_MOCK_PATH], "/a;x=1/%2e%2e?q=1");
        let cookies: Vec<_> = h.get_all(SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["A=1; Path=/; HttpOnly", "B=2; Path=/; HttpOnly"]);
        assert!(!h.contains_key("cache-control"));
    }

    #[test]
    fn own_server_header_is_kept() {
        let mut reply = Reply::text(StatusCode::OK, String::new());
        reply.push(SERVER, "other");
        let resp = reply.finish(&HeaderValue::from_static("n"), b"/");
        let servers: Vec<_> = resp.headers().get_all(SERVER).iter().collect();
        assert_eq!(servers, ["other"]);
    }

    #[test]
    fn escapes() {
        assert_eq!(escape(b"/a b\\\x01\xff"), "/a\\x20b\\x5C\\x01\\xFF");
        assert_eq!(header_value(b"a\r\nb"), "a\\x0D\\x0Ab");
        assert_eq!(
            markup_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
