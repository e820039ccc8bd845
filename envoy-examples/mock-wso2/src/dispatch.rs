//! Where WSO2 Identity Server routes a request: the web application and the path within it that
//! the product dispatches to, after Tomcat's request parsing and the product's
//! `TenantContextRewriteValve`.
//!
//! This is an independent port, written from the product sources (not from this workspace's
//! `policies` crate), so that tests can check the gateway's filters against a second
//! implementation:
//!
//! 1. Tomcat (`CoyoteAdapter.postParseRequest`): refuse raw controls, space, non-ASCII and `\`;
//!    strip `;params` from every segment; percent-decode (refusing invalid escapes and encoded
//!    `/`, `\` and NUL, `encodedSolidusHandling=reject`); require UTF-8; merge `//` and remove dot
//!    segments (`..` above the root is refused). Any refusal is a 400 from Tomcat itself.
//! 2. `TenantContextRewriteValve` (wso2-extensions/identity-carbon-auth-rest, with the
//!    `identity.xml.j2` defaults of carbon-identity-framework) works on the raw request URI: it
//!    picks a rewrite context by regular expression and forwards to a web application or to a
//!    servlet of the ROOT application with a path built by string replacement, which Tomcat's
//!    request dispatcher then normalises again.
//! 3. Otherwise Tomcat maps the normalised path to a web application by its context path.

use std::sync::LazyLock;

use regex::Regex;

/// Where the product routes a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispatch {
    /// The web application's context path: `/oauth2`, `/api`, ... or `/` for ROOT (servlets).
    pub webapp: String,
    /// The path within the web application (decoded and normalised), always starting with `/`.
    pub path: String,
    /// The tenant domain when the request was tenant- or organisation-qualified (`/t/{tenant}/`,
    /// or `carbon.super` for `/o/...`), as it appears in the request.
    pub tenant: Option<String>,
    /// Whether the landing (web application and path joined) is an administrative surface.
    pub admin: bool,
}

/// `raw_target` is the request target as received (origin form, may have a query).
/// Err(reason) when Tomcat itself refuses the request (400), e.g. an encoded slash.
pub fn dispatch(raw_target: &str) -> Result<Dispatch, String> {
    let raw = request_uri(raw_target)?;
    // Tomcat parses and checks the path before any valve runs.
    let decoded = connector_path(raw)?;
    let rules = RULES.as_ref().map_err(Clone::clone)?;

    // An organisation under the super tenant: /o/... -> /t/carbon.super/o/... (every occurrence,
    // as Java's String.replace).
    let organisation_under_super_tenant = raw.starts_with(ORG_PARAM);
    let uri = if organisation_under_super_tenant {
        raw.replace(ORG_PARAM, SUPER_TENANT_QUALIFIED)
    } else {
        raw.to_owned()
    };

    let (webapp, path, tenant) = match rules.choose(&uri) {
        Some(choice) => {
            let tenant = rules.tenant_of(&uri);
            let (webapp, path) = rules.rewrite(&uri, &choice, tenant.as_deref())?;
            (webapp, path, tenant)
        }
        None => {
            let (webapp, path) = context_mapping(&decoded);
            let tenant = if organisation_under_super_tenant {
                Some(SUPER_TENANT.to_owned())
            } else {
                tenant_prefix(&decoded).map(|(tenant, _)| tenant.to_owned())
            };
            (webapp, path, tenant)
        }
    };
    let admin = is_admin(&webapp, &path);
    Ok(Dispatch {
        webapp,
        path,
        tenant,
        admin,
    })
}

/// `/o/`: `RewriteConstants.ORGANIZATION_PATH_PARAM`.
const ORG_PARAM: &str = "/o/";
/// `RewriteConstants.SUPER_TENANT_QUALIFIED_REQUEST`.
const SUPER_TENANT_QUALIFIED: &str = "/t/carbon.super/";
/// The super tenant's domain.
const SUPER_TENANT: &str = "carbon.super";

/// `TenantContextsToRewrite.WebApp.Context` (identity.xml.j2 defaults), in order.
const WEBAPP_CONTEXTS: [&str; 15] = [
    "/oauth2/",
    "/scim2/",
    "/api/identity/media/v1.0/",
    "/api/identity/typingdna/v1.0/",
    "/api/",
    "/myaccount/",
    "/console/",
    "/authenticationendpoint/",
    "/accountrecoveryendpoint/",
    "/lsp/",
    "/emailotpauthenticationendpoint/",
    "/smsotpauthenticationendpoint/",
    "/totpauthenticationendpoint/",
    "/accounts/",
    "/oid4vci/",
];

/// `TenantContextsToRewrite.Servlet.Context`, in order, after the web applications.
const SERVLET_CONTEXTS: [&str; 11] = [
    "/identity/(.*)",
    "/identity/metadata/saml2",
    "/commonauth(.*)",
    "/logincontext(.*)",
    "/oidc/",
    "/samlsso(.*)",
    "/samlartresolve",
    "/passivests",
    "/longwaitstatus(.*)",
    "/push-auth/(.*)",
    "/.well-known/openid-configuration(.*)",
];

/// Web applications whose tenant pattern also accepts `/o/{anything}` before the context.
const CONSOLE_CONTEXTS: [&str; 2] = ["/console/", "/myaccount/"];

/// `TenantContextsToRewrite.OverwriteDispatch.Context`: these dispatch to `/` ...
const OVERWRITE_DISPATCH: [&str; 2] = ["/console/", "/myaccount/"];
/// ... unless the dispatch location starts with one of `OverwriteDispatch.IgnorePath`.
const OVERWRITE_DISPATCH_IGNORE: [&str; 6] = [
    "/extensions/",
    "/libs/",
    "/resources/",
    "/static/",
    "/deployment.config.json",
    "/rpIFrame.html",
];

/// `OrgContextsToRewriteInTenantPerspective`: web app base paths with their sub-paths (a base
/// path with sub-paths is chosen only through one of them), then servlets.
const ORG_WEBAPP_CONTEXTS: [(&str, &[&str]); 6] = [
    (
        "/api/",
        &[
            "/api/identity/oauth2/dcr/",
            "/api/identity/auth/v1.1/data",
            "/api/server/v1/flow/execute",
        ],
    ),
    (
        "/oauth2/",
        &[
            "/oauth2/token",
            "/oauth2/introspect",
            "/oauth2/revoke",
            "/oauth2/userinfo",
            "/oauth2/authorize",
            "/oauth2/jwks",
            "/oauth2/authn",
        ],
    ),
    ("/authenticationendpoint/", &[]),
    ("/accountrecoveryendpoint/", &[]),
    ("/accounts/", &[]),
    ("/.well-known/", &[]),
];
/// `OrgContextsToRewriteInTenantPerspective.Servlet.Context`.
const ORG_SERVLET_CONTEXTS: [&str; 8] = [
    "/commonauth(.*)",
    "/logincontext(.*)",
    "/samlsso(.*)",
    "/identity/metadata/saml2",
    "/identity/oidc/slo",
    "/longwaitstatus(.*)",
    "/oidc/",
    "/push-auth/(.*)",
];

/// `TenantContextRewriteValve.isOrganizationIdAvailableInTenantPerspective`.
const ORG_ID_IN_TENANT_PERSPECTIVE: &str = r"^/t/[^/]+/o/[a-f0-9\-]+?";

/// Context paths Tomcat maps a request to when no rewrite applies (longest match on whole
/// segments, case-sensitive); anything else goes to ROOT (`/`). The identity web applications
/// above, Carbon's management console and SOAP services, and API Manager's portals.
const TOMCAT_CONTEXTS: [&str; 20] = [
    "/oauth2",
    "/scim2",
    "/api/identity/media/v1.0",
    "/api/identity/typingdna/v1.0",
    "/api",
    "/myaccount",
    "/console",
    "/authenticationendpoint",
    "/accountrecoveryendpoint",
    "/lsp",
    "/emailotpauthenticationendpoint",
    "/smsotpauthenticationendpoint",
    "/totpauthenticationendpoint",
    "/accounts",
    "/oid4vci",
    "/carbon",
    "/services",
    "/publisher",
    "/devportal",
    "/admin",
];

/// Administrative surfaces: a landing (web application and path joined) under one of these
/// (whole segments, ASCII case-insensitive) is admin, except exactly [`SCIM_ME`].
const ADMIN_PREFIXES: [&str; 19] = [
    "/carbon",
    "/services",
    "/console",
    "/fileupload",
    "/registry",
    "/api/server",
    "/api/identity/oauth2/dcr",
    "/api/identity/entitlement",
    "/api/o",
    "/api/am/admin",
    "/api/am/publisher",
    "/identity/register",
    "/identity/connect/register",
    "/oauth2/introspect",
    "/scim2",
    "/management",
    "/publisher",
    "/admin",
    "/devportal",
];
/// The one self-service endpoint under `/scim2`.
const SCIM_ME: &str = "/scim2/Me";

/// One `TenantContextsToRewrite` entry.
#[derive(Debug)]
struct RewriteContext {
    /// The context as configured (a Java regex), e.g. `/oauth2/` or `/commonauth(.*)`.
    context: &'static str,
    /// A web application (forwarded across contexts) or a ROOT servlet.
    webapp: bool,
    /// `RewriteContext.tenantContextPattern`.
    tenant_pattern: Regex,
    /// `"/t/.*" + context`, what a web app's dispatch location removes (`replaceAll`).
    strip: Regex,
}

/// One `OrgContextsToRewriteInTenantPerspective` entry.
#[derive(Debug)]
struct OrgRewriteContext {
    context: &'static str,
    webapp: bool,
    /// `^/t/[^/]+/o/[a-f0-9\-]+?` + context.
    pattern: Regex,
    /// `^/t/[^/]+/o/[a-f0-9\-]+` + sub-path, for each sub-path.
    sub_paths: Vec<Regex>,
    strip: Regex,
}

/// A chosen rewrite context.
#[derive(Debug)]
struct Choice<'a> {
    context: &'static str,
    webapp: bool,
    strip: &'a Regex,
    /// The organisation id, for a tenant-perspective organisation context.
    org_id: Option<String>,
}

/// The compiled rewrite configuration.
#[derive(Debug)]
struct Rules {
    contexts: Vec<RewriteContext>,
    org_contexts: Vec<OrgRewriteContext>,
    org_id_in_tenant_perspective: Regex,
    tenant: Regex,
}

static RULES: LazyLock<Result<Rules, String>> = LazyLock::new(Rules::new);

fn regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("internal error: bad pattern {pattern:?}: {e}"))
}

impl RewriteContext {
    fn new(webapp: bool, context: &'static str) -> Result<Self, String> {
        let tenant_pattern = if !webapp {
            format!("^/t/([^/]+){context}")
        } else if CONSOLE_CONTEXTS.contains(&context) {
            format!("^/t/([^/]+)(/o|/o/([^/]+))?{context}")
        } else {
            format!("^/t/([^/]+)(/o)?{context}")
        };
        Ok(RewriteContext {
            context,
            webapp,
            tenant_pattern: regex(&tenant_pattern)?,
            strip: regex(&format!("/t/.*{context}"))?,
        })
    }
}

impl OrgRewriteContext {
    fn new(webapp: bool, context: &'static str, sub_paths: &[&str]) -> Result<Self, String> {
        Ok(OrgRewriteContext {
            context,
            webapp,
            pattern: regex(&format!(r"^/t/[^/]+/o/[a-f0-9\-]+?{context}"))?,
            sub_paths: sub_paths
                .iter()
                .map(|sub| regex(&format!(r"^/t/[^/]+/o/[a-f0-9\-]+{sub}")))
                .collect::<Result<_, _>>()?,
            strip: regex(&format!("/t/.*{context}"))?,
        })
    }

    fn choice(&self, uri: &str) -> Choice<'_> {
        Choice {
            context: self.context,
            webapp: self.webapp,
            strip: &self.strip,
            org_id: org_id(uri),
        }
    }
}

impl Rules {
    fn new() -> Result<Self, String> {
        let mut contexts = Vec::new();
        for context in WEBAPP_CONTEXTS {
            contexts.push(RewriteContext::new(true, context)?);
        }
        for context in SERVLET_CONTEXTS {
            contexts.push(RewriteContext::new(false, context)?);
        }
        let mut org_contexts = Vec::new();
        for (context, sub_paths) in ORG_WEBAPP_CONTEXTS {
            org_contexts.push(OrgRewriteContext::new(true, context, sub_paths)?);
        }
        for context in ORG_SERVLET_CONTEXTS {
            org_contexts.push(OrgRewriteContext::new(false, context, &[])?);
        }
        Ok(Rules {
            contexts,
            org_contexts,
            org_id_in_tenant_perspective: regex(ORG_ID_IN_TENANT_PERSPECTIVE)?,
            tenant: regex("^/t/([^/]+)")?,
        })
    }

    /// The valve's choice: the first context whose tenant pattern is found in the URI (or in the
    /// URI with a `/` added), then overridden by a matching tenant-perspective organisation
    /// context.
    fn choose(&self, uri: &str) -> Option<Choice<'_>> {
        let with_slash = format!("{uri}/");
        let mut choice = self
            .contexts
            .iter()
            .find(|c| c.tenant_pattern.is_match(uri) || c.tenant_pattern.is_match(&with_slash))
            .map(|c| Choice {
                context: c.context,
                webapp: c.webapp,
                strip: &c.strip,
                org_id: None,
            });
        'contexts: for org in &self.org_contexts {
            if !org.pattern.is_match(uri) {
                continue;
            }
            if org.sub_paths.is_empty() {
                choice = Some(org.choice(uri));
                break;
            }
            for sub_path in &org.sub_paths {
                if sub_path.is_match(uri) {
                    choice = Some(org.choice(uri));
                    break 'contexts;
                }
            }
        }
        choice
    }

    /// The tenant domain of a `/t/{tenant}` URI, as it appears there.
    fn tenant_of(&self, uri: &str) -> Option<String> {
        let captures = self.tenant.captures(uri)?;
        Some(captures.get(1)?.as_str().to_owned())
    }

    /// The valve's forward: (web application, path within it).
    fn rewrite(
        &self,
        uri: &str,
        choice: &Choice<'_>,
        tenant: Option<&str>,
    ) -> Result<(String, String), String> {
        if choice.webapp {
            let mut location = format!("/{}", choice.strip.replace_all(uri, ""));
            // "/t/{tenant}/o/api/..." goes to the organisation APIs, "/o/...", unless what follows
            // "/o/" looks like an organisation id (any hex character will do).
            if !uri.starts_with(ORG_PARAM)
                && uri.contains(ORG_PARAM)
                && !self.org_id_in_tenant_perspective.is_match(uri)
            {
                location = format!("/o{location}");
            }
            if OVERWRITE_DISPATCH.contains(&choice.context)
                && !OVERWRITE_DISPATCH_IGNORE
                    .iter()
                    .any(|p| location.starts_with(p))
            {
                location = "/".to_owned();
            }
            let webapp = choice.context.trim_end_matches('/');
            let webapp = if webapp.is_empty() { "/" } else { webapp };
            Ok((webapp.to_owned(), dispatcher_path(&location)?))
        } else {
            // WebContextRoot is "/": the valve removes every "//".
            let mut location = uri.replace("//", "");
            if let Some(tenant) = tenant {
                location = location.replace(&format!("/t/{tenant}"), "");
            }
            if let Some(org_id) = &choice.org_id {
                location = location.replace(&format!("{ORG_PARAM}{org_id}"), "");
            }
            Ok(("/".to_owned(), dispatcher_path(&location)?))
        }
    }
}

/// The organisation id as the valve takes it: from the first `/o/` to the next `/`.
fn org_id(uri: &str) -> Option<String> {
    let start = uri.find(ORG_PARAM)? + ORG_PARAM.len();
    let rest = uri.get(start..)?;
    let end = rest.find('/')?;
    Some(rest.get(..end)?.to_owned())
}

/// The path part of a request target, as `getRequestURI()` returns it (not decoded), after the
/// request-line checks.
fn request_uri(target: &str) -> Result<&str, String> {
    if let Some(b) = target
        .bytes()
        .find(|&b| b <= b' ' || b == 0x7f || b >= 0x80 || b == b'\\')
    {
        return Err(format!(
            "the request target has a byte Tomcat refuses (0x{b:02X})"
        ));
    }
    let before_query = target.split_once('?').map_or(target, |(path, _)| path);
    let absolute = strip_prefix_ignore_case(before_query, "http://")
        .or_else(|| strip_prefix_ignore_case(before_query, "https://"));
    let Some(rest) = absolute else {
        return Ok(before_query);
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    if authority.contains('@') {
        return Err("userinfo in an absolute-form request target".to_owned());
    }
    Ok(path)
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// What the connector makes of the raw path: parameters stripped, decoded, normalised.
fn connector_path(raw: &str) -> Result<String, String> {
    if !raw.starts_with('/') {
        return Err(format!("the path {raw:?} does not start with /"));
    }
    let decoded = percent_decode(&strip_path_params(raw))?;
    normalize(&decoded, Normalizer::Connector)
        .ok_or_else(|| "the path climbs above the root with ..".to_owned())
}

/// What `ServletContext.getRequestDispatcher(path)` makes of a dispatch location: parameters
/// stripped, normalised while still encoded, decoded; when the decoded path would normalise
/// differently (an encoded dot segment), Tomcat gives no dispatcher (`applicationContext.
/// illegalDispatchPath`) and the product answers 500.
fn dispatcher_path(location: &str) -> Result<String, String> {
    let above_root = || "the dispatch path climbs above the root with ..".to_owned();
    let normalized =
        normalize(&strip_path_params(location), Normalizer::Dispatcher).ok_or_else(above_root)?;
    let decoded = percent_decode(&normalized)?;
    let again = normalize(&decoded, Normalizer::Dispatcher).ok_or_else(above_root)?;
    if again != decoded {
        return Err("the decoded dispatch path is not normalised: no dispatcher".to_owned());
    }
    Ok(decoded)
}

/// Removes every `;param` up to the next `/` (Tomcat parses path parameters before decoding).
fn strip_path_params(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(segment.split_once(';').map_or(segment, |(s, _)| s));
    }
    out
}

/// Percent-decodes a path as Tomcat's connector does (`encodedSolidusHandling=reject`): invalid
/// escapes, `%2F`, `%5C` and `%00` are refused, and the result must be UTF-8.
fn percent_decode(path: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(path.len());
    let mut bytes = path.bytes();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let hex = |b: Option<u8>| b.and_then(|b| char::from(b).to_digit(16));
        let (Some(high), Some(low)) = (hex(bytes.next()), hex(bytes.next())) else {
            return Err("an invalid percent-escape in the path".to_owned());
        };
        let byte = u8::try_from(high * 16 + low).unwrap_or(0);
        match byte {
            b'/' => return Err("an encoded slash (%2F) in the path".to_owned()),
            b'\\' => return Err("an encoded backslash (%5C) in the path".to_owned()),
            0 => return Err("an encoded NUL (%00) in the path".to_owned()),
            _ => out.push(byte),
        }
    }
    String::from_utf8(out).map_err(|_| "the decoded path is not UTF-8".to_owned())
}

/// Which of Tomcat's two normalisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Normalizer {
    /// `CoyoteAdapter.normalize`: the path must start with `/`; a trailing `/.` or `/..` keeps
    /// the `/` it gains.
    Connector,
    /// `RequestUtil.normalize`: a missing leading `/` is added; the `/` added after a trailing
    /// `/.` or `/..` is removed again.
    Dispatcher,
}

/// Merges `//`, removes `.` segments and resolves `..` ones; `None` when `..` climbs above the
/// root.
fn normalize(path: &str, normalizer: Normalizer) -> Option<String> {
    let mut s = if path.starts_with('/') {
        path.to_owned()
    } else if normalizer == Normalizer::Dispatcher {
        format!("/{path}")
    } else {
        return None;
    };
    while let Some(i) = s.find("//") {
        s.remove(i);
    }
    let added = s.ends_with("/.") || s.ends_with("/..");
    if added {
        s.push('/');
    }
    while let Some(i) = s.find("/./") {
        s.replace_range(i..i + 2, "");
    }
    while let Some(i) = s.find("/../") {
        if i == 0 {
            return None;
        }
        let parent = s.get(..i)?.rfind('/')?;
        s.replace_range(parent..i + 3, "");
    }
    if added && normalizer == Normalizer::Dispatcher && s.len() > 1 {
        s.pop();
    }
    Some(s)
}

/// Tomcat's context mapping of a normalised path: (context path, path within it).
fn context_mapping(path: &str) -> (String, String) {
    let context = TOMCAT_CONTEXTS
        .iter()
        .filter(|c| under(path, c, false))
        .max_by_key(|c| c.len());
    match context.and_then(|c| Some((c, path.get(c.len()..)?))) {
        Some((context, rest)) => {
            let rest = if rest.is_empty() { "/" } else { rest };
            ((*context).to_owned(), rest.to_owned())
        }
        None => ("/".to_owned(), path.to_owned()),
    }
}

/// `path` is `prefix` or below it (whole segments).
fn under(path: &str, prefix: &str, ignore_case: bool) -> bool {
    let Some(head) = path.get(..prefix.len()) else {
        return false;
    };
    let same = if ignore_case {
        head.eq_ignore_ascii_case(prefix)
    } else {
        head == prefix
    };
    same && matches!(path.as_bytes().get(prefix.len()), None | Some(b'/'))
}

/// `/t/{tenant}` at the start of a path: (tenant, the rest).
fn tenant_prefix(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/t/")?;
    let (tenant, rest) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    (!tenant.is_empty()).then_some((tenant, rest))
}

/// Whether a landing is an admin surface. A ROOT landing under `/t/{tenant}` is also judged
/// without that prefix: Carbon serves a tenant's console and services there.
fn is_admin(webapp: &str, path: &str) -> bool {
    let joined = if webapp == "/" {
        path.to_owned()
    } else {
        format!("{webapp}{path}")
    };
    let admin_path =
        |p: &str| p != SCIM_ME && ADMIN_PREFIXES.iter().any(|prefix| under(p, prefix, true));
    admin_path(&joined)
        || (webapp == "/" && tenant_prefix(&joined).is_some_and(|(_, rest)| admin_path(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The expected landing: "webapp path", tenant, admin; or `None` for a Tomcat refusal.
    type Want = Option<(&'static str, Option<&'static str>, bool)>;

    const ORG: &str = "10084a8d-113f-4211-a0d5-efe36b082211";

    fn check(rows: &[(&str, String, Want)]) {
        let mut failures = Vec::new();
        for (name, target, want) in rows {
            let got = dispatch(target);
            let ok = match (want, &got) {
                (None, Err(_)) => true,
                (Some((landing, tenant, admin)), Ok(d)) => {
                    format!("{} {}", d.webapp, d.path) == *landing
                        && d.tenant.as_deref() == *tenant
                        && d.admin == *admin
                }
                _ => false,
            };
            if !ok {
                failures.push(format!("{name}: {target}: want {want:?}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn rules_compile() {
        // Every context list compiled into one rule each (a pattern that failed to compile
        // would have made RULES an error).
        let rules = RULES.as_ref().unwrap();
        assert_eq!(
            rules.contexts.len(),
            WEBAPP_CONTEXTS.len() + SERVLET_CONTEXTS.len()
        );
        assert_eq!(
            rules.org_contexts.len(),
            ORG_WEBAPP_CONTEXTS.len() + ORG_SERVLET_CONTEXTS.len()
        );
    }

    #[test]
    fn table() {
        let t = |s: &str| s.to_owned();
        let o = |s: &str| s.replace("{org}", ORG);
        let rows: Vec<(&str, String, Want)> = vec![
            // Legitimate requests.
            ("root", t("/"), Some(("/ /", None, false))),
            (
                "token",
                t("/oauth2/token"),
                Some(("/oauth2 /token", None, false)),
            ),
            (
                "token with a query",
                t("/oauth2/token?grant_type=x&a=%2F"),
                Some(("/oauth2 /token", None, false)),
            ),
            (
                "tenant token",
                t("/t/abc.com/oauth2/token"),
                Some(("/oauth2 /token", Some("abc.com"), false)),
            ),
            (
                "tenant commonauth with a session parameter",
                t("/t/abc.com/commonauth;jsessionid=1"),
                Some(("/ /commonauth", Some("abc.com"), false)),
            ),
            (
                "tenant login page",
                t("/t/abc.com/authenticationendpoint/login.do"),
                Some(("/authenticationendpoint /login.do", Some("abc.com"), false)),
            ),
            (
                "tenant discovery (servlet, `.` is any character)",
                t("/t/abc.com/.well-known/openid-configuration"),
                Some((
                    "/ /.well-known/openid-configuration",
                    Some("abc.com"),
                    false,
                )),
            ),
            (
                "tenant scim Me",
                t("/t/abc.com/scim2/Me"),
                Some(("/scim2 /Me", Some("abc.com"), false)),
            ),
            ("scim Me", t("/scim2/Me"), Some(("/scim2 /Me", None, false))),
            (
                "self-service API",
                t("/api/users/v1/me"),
                Some(("/api /users/v1/me", None, false)),
            ),
            (
                "myaccount asset keeps its path",
                t("/t/abc.com/myaccount/static/main.js"),
                Some(("/myaccount /static/main.js", Some("abc.com"), false)),
            ),
            (
                "myaccount page dispatches to /",
                t("/t/abc.com/myaccount/overview"),
                Some(("/myaccount /", Some("abc.com"), false)),
            ),
            (
                "organisation token (tenant perspective, sub-path)",
                o("/t/abc.com/o/{org}/oauth2/token"),
                Some(("/oauth2 /token", Some("abc.com"), false)),
            ),
            (
                "organisation commonauth (tenant perspective servlet)",
                o("/t/abc.com/o/{org}/commonauth"),
                Some(("/ /commonauth", Some("abc.com"), false)),
            ),
            (
                "context without trailing slash matches through URI + /",
                t("/t/abc.com/oauth2"),
                Some(("/oauth2 /t/abc.com/oauth2", Some("abc.com"), false)),
            ),
            (
                "absolute form",
                t("http://wso2:9443/oauth2/token?x"),
                Some(("/oauth2 /token", None, false)),
            ),
            (
                "absolute form without a path",
                t("HTTPS://wso2:9443"),
                Some(("/ /", None, false)),
            ),
            // Admin surfaces reached directly.
            (
                "console login",
                t("/carbon/admin/login.jsp"),
                Some(("/carbon /admin/login.jsp", None, true)),
            ),
            (
                "admin services",
                t("/services/RemoteUserStoreManagerService?wsdl"),
                Some(("/services /RemoteUserStoreManagerService", None, true)),
            ),
            (
                "tenant management API",
                t("/t/abc.com/api/server/v1/applications"),
                Some(("/api /server/v1/applications", Some("abc.com"), true)),
            ),
            (
                "tenant console",
                t("/t/abc.com/console/"),
                Some(("/console /", Some("abc.com"), true)),
            ),
            (
                "tenant introspection",
                t("/t/abc.com/oauth2/introspect"),
                Some(("/oauth2 /introspect", Some("abc.com"), true)),
            ),
            (
                "tenant DCR",
                t("/t/abc.com/api/identity/oauth2/dcr/v1.1/register"),
                Some((
                    "/api /identity/oauth2/dcr/v1.1/register",
                    Some("abc.com"),
                    true,
                )),
            ),
            (
                "tenant carbon console (no rewrite context: ROOT)",
                t("/t/abc.com/carbon/admin/login.jsp"),
                Some(("/ /t/abc.com/carbon/admin/login.jsp", Some("abc.com"), true)),
            ),
            (
                "identity register servlet",
                t("/t/abc.com/identity/register"),
                Some(("/ /identity/register", Some("abc.com"), true)),
            ),
            (
                "fileupload",
                t("/fileupload/toolsAny"),
                Some(("/ /fileupload/toolsAny", None, true)),
            ),
            (
                "API Manager publisher",
                t("/publisher/apis"),
                Some(("/publisher /apis", None, true)),
            ),
            (
                "admin prefix is case-insensitive",
                t("/CARBON/x"),
                Some(("/ /CARBON/x", None, true)),
            ),
            (
                "admin prefix is whole segments",
                t("/carbonx"),
                Some(("/ /carbonx", None, false)),
            ),
            // Valve attacks.
            (
                "greedy replaceAll to the last /api/",
                t("/t/abc.com/api/users/v1/me/x/api/server/v1/applications"),
                Some(("/api /server/v1/applications", Some("abc.com"), true)),
            ),
            (
                "servlet tenant removal makes dot segments",
                t("/t/a/oidc/./t/a./x/./t/a./carbon"),
                Some(("/ /carbon", Some("a"), true)),
            ),
            (
                "servlet path climbs out of commonauth",
                t("/t/abc.com/commonauth/../carbon/admin"),
                Some(("/ /carbon/admin", Some("abc.com"), true)),
            ),
            (
                "super tenant organisation URL",
                t("/o/api/server/v1/applications"),
                Some(("/api /server/v1/applications", Some("carbon.super"), true)),
            ),
            (
                "tenant /o/api: the a of api is hex, no /o prefix",
                t("/t/abc.com/o/api/server/v1/applications"),
                Some(("/api /server/v1/applications", Some("abc.com"), true)),
            ),
            (
                "tenant /o/scim2 gets the /o prefix",
                t("/t/abc.com/o/scim2/Users"),
                Some(("/scim2 /o/Users", Some("abc.com"), true)),
            ),
            (
                "/o/ later in the path sends to organisation APIs",
                t("/t/abc.com/api/server/v1/o/x"),
                Some(("/api /o/server/v1/o/x", Some("abc.com"), true)),
            ),
            (
                "organisation id with an API path outside the sub-paths: no rewrite, ROOT",
                o("/t/abc.com/o/{org}/api/server/v1/applications"),
                Some((
                    "/ /t/abc.com/o/10084a8d-113f-4211-a0d5-efe36b082211/api/server/v1/applications",
                    Some("abc.com"),
                    false,
                )),
            ),
            (
                "organisation DCR (tenant perspective sub-path)",
                o("/t/abc.com/o/{org}/api/identity/oauth2/dcr/v1.1/register"),
                Some((
                    "/api /identity/oauth2/dcr/v1.1/register",
                    Some("abc.com"),
                    true,
                )),
            ),
            (
                "scim Me then Users",
                t("/t/abc.com/scim2/Me/scim2/Users"),
                Some(("/scim2 /Users", Some("abc.com"), true)),
            ),
            (
                "myaccount climbing to the console still dispatches to /",
                t("/t/abc.com/myaccount/../console/"),
                Some(("/myaccount /", Some("abc.com"), false)),
            ),
            (
                "encoded dots left for the dispatcher: no dispatcher (500)",
                t("/t/abc.com/api/users/v1/%2e%2e/%2e%2e/server/v1/x"),
                None,
            ),
            (
                "the dispatcher removes dots before it decodes",
                t("/t/abc.com/oauth2/%69ntrospect/%2e/.."),
                Some(("/oauth2 /introspect", Some("abc.com"), true)),
            ),
            (
                "encoded dots climbing above the web app: dispatcher refuses",
                t("/t/abc.com/api/%2e%2e/carbon"),
                None,
            ),
            (
                "..;/ above the web app: dispatcher refuses",
                t("/t/abc.com/api/..;/carbon"),
                None,
            ),
            (
                "token/../../api: dispatcher refuses",
                t("/t/abc.com/oauth2/token/../../api/server/v1/x"),
                None,
            ),
            // Tomcat-level tricks.
            (
                "..;/ out of oauth2",
                t("/oauth2/..;/carbon/admin"),
                Some(("/carbon /admin", None, true)),
            ),
            (
                "encoded dots inside the root",
                t("/oauth2/%2e%2e/services/x"),
                Some(("/services /x", None, true)),
            ),
            (
                "merged slashes",
                t("//carbon//admin"),
                Some(("/carbon /admin", None, true)),
            ),
            (
                "parameters on every segment",
                t("/carbon;a=1/admin;b=2/x.jsp"),
                Some(("/carbon /admin/x.jsp", None, true)),
            ),
            (
                "encoded letters",
                t("/%63arbon/admin"),
                Some(("/carbon /admin", None, true)),
            ),
            (
                "trailing /. keeps a slash",
                t("/carbon/."),
                Some(("/carbon /", None, true)),
            ),
            ("encoded dots above the root", t("/%2e%2e/services"), None),
            ("dots above the root", t("/../carbon"), None),
            ("encoded slash", t("/api%2Fserver/v1"), None),
            ("encoded slash, lower case", t("/services%2fx"), None),
            ("encoded backslash", t("/carbon%5Cadmin"), None),
            ("raw backslash", t("/carbon\\admin"), None),
            ("encoded NUL", t("/carbon%00"), None),
            ("invalid escape", t("/carbon%zz"), None),
            ("truncated escape", t("/carbon%2"), None),
            ("decoded bytes not UTF-8", t("/carbon%C3"), None),
            ("raw non-ASCII", t("/carbón"), None),
            ("raw space", t("/a b"), None),
            ("raw control", t("/a\tb"), None),
            ("asterisk form", t("*"), None),
            ("authority form", t("wso2:443"), None),
            ("userinfo", t("http://u@wso2/carbon"), None),
        ];
        check(&rows);
    }

    #[test]
    fn normalisers() {
        use Normalizer::{Connector, Dispatcher};
        let cases = [
            ("/a/./b/../c", Connector, Some("/a/c")),
            ("/a//b", Connector, Some("/a/b")),
            ("/a/.", Connector, Some("/a/")),
            ("/a/.", Dispatcher, Some("/a")),
            ("/a/..", Connector, Some("/")),
            ("/a/..", Dispatcher, Some("/")),
            ("/..", Connector, None),
            ("/a/../..", Dispatcher, None),
            ("a/b", Connector, None),
            ("a/b", Dispatcher, Some("/a/b")),
            ("/a/.../b", Connector, Some("/a/.../b")),
        ];
        for (path, normalizer, want) in cases {
            assert_eq!(
                normalize(path, normalizer).as_deref(),
                want,
                "{path} {normalizer:?}"
            );
        }
        assert_eq!(strip_path_params("/a;x;y/b;z/;w"), "/a/b/");
        assert_eq!(org_id(&format!("/t/a/o/{ORG}/x")).as_deref(), Some(ORG));
    }
}
