//! The product's tenant and organisation dispatch, computed on the raw request URI as WSO2
//! Identity Server computes it (wso2-extensions/identity-carbon-auth-rest,
//! `components/org.wso2.carbon.identity.context.rewrite.valve`):
//!
//! `TenantContextRewriteValve.invoke`, on `request.getRequestURI()` (raw: not decoded, not
//! normalised, `;` parameters kept):
//! 1. a URI starting with `/o/` (an organisation under the super tenant) has every `/o/`
//!    replaced by `/t/carbon.super/` (`String.replace`: all occurrences);
//! 2. the first rewrite context (web applications, then servlets, in configuration order) whose
//!    pattern finds in the URI or the URI plus `/` is chosen: web applications
//!    `^/t/([^/]+)(/o)?{context}` (`/console/` and `/myaccount/`: `^/t/([^/]+)(/o|/o/([^/]+))?`),
//!    servlets `^/t/([^/]+){context}`; the context strings are Java regexes, so the `.` of
//!    `/.well-known/` matches any character;
//! 3. a tenant-perspective organisation context (`^/t/[^/]+/o/[a-f0-9\-]+?{context}`, or one of
//!    its sub-paths) overrides that choice;
//! 4. a web application is forwarded across contexts to
//!    `"/" + uri.replaceAll("/t/.*" + context, "")`: greedy, so everything up to the **last**
//!    occurrence of the context goes; a `/o/` anywhere in the URI (not at its start, and not in
//!    the tenant-perspective form) prefixes the dispatch path with `/o`; an overwrite-dispatch
//!    context (single-page application) gets `/` unless the path starts with an ignore path;
//! 5. a servlet is dispatched to the URI with every `//` removed (`WebContextRoot` `/`), every
//!    `/t/{tenant}` removed (`String.replace`), and, in the organisation perspective, every
//!    `/o/{org-id}` removed.
//!
//! `OrganizationContextRewriteValve.invoke` does the same for `/o/{org}{context}` when the
//! organisation is not under the super tenant: web applications to
//! `"/" + uri.replace("/o/" + org + context, "")`, servlets with `//` and `/o/{org}` removed.
//!
//! Either valve may run for a `/o/` URI (it depends on the organisation's root tenant, which
//! the gateway cannot see), so both readings are landings. The request dispatcher
//! (`ApplicationContext.getRequestDispatcher`) strips parameters, removes dot segments from the
//! still-encoded path and only then decodes it ([`dispatcher_path`]): the opposite order of the
//! connector's. A landing is written
//! tenant-qualified, `/t/{tenant}{webapp}{dispatch path}` (or `/o/{org}…`), the URI a direct
//! request for the same resource has, so the allowlist judges it like one.

use regex::Regex;

use super::config::{OrgContextConfig, TenantValveConfig};
use super::{Landing, Layer};
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;
use crate::path::{PathError, normalize_path};

/// The super tenant's domain (`MultitenantConstants.SUPER_TENANT_DOMAIN_NAME`).
const SUPER_TENANT: &str = "carbon.super";

/// A compiled rewrite context (`RewriteContext`).
#[derive(Debug, Clone)]
struct Rewrite {
    context: String,
    webapp: bool,
    /// `^/t/([^/]+)(/o)?{context}` and its kin.
    tenant_pattern: Regex,
    /// `/t/.*{context}`, for `replaceAll`.
    strip: Regex,
}

/// A compiled organisation context (`OrganizationRewriteContext`): a base path and optional
/// sub-paths, each a pattern on the whole URI.
#[derive(Debug, Clone)]
struct OrgRewrite {
    context: String,
    webapp: bool,
    base: Regex,
    sub_paths: Vec<Regex>,
    /// `/t/.*{context}` (tenant perspective only).
    strip: Regex,
}

/// The compiled valves of one virtual host.
#[derive(Debug, Clone)]
pub struct TenantValve {
    rewrites: Vec<Rewrite>,
    tenant_perspective: Vec<OrgRewrite>,
    organization: Vec<OrgRewrite>,
    overwrite_dispatch: Vec<String>,
    ignore_paths: Vec<String>,
    /// `^/t/[^/]+/o/[a-f0-9\-]+?` (`isOrganizationIdAvailableInTenantPerspective`).
    org_in_tenant: Regex,
}

/// What the valve chose for a URI.
struct Chosen<'a> {
    context: &'a str,
    webapp: bool,
    strip: &'a Regex,
    /// The organisation id of a tenant-perspective choice.
    org_id: Option<String>,
}

fn compile_regex(path: &FieldPath, pattern: &str) -> Result<Regex, ConfigError> {
    Regex::new(pattern).map_err(|e| {
        ConfigError::at(
            path.clone(),
            ConfigErrorKind::InvalidRegex {
                pattern: pattern.to_owned(),
                reason: e.to_string(),
            },
        )
    })
}

/// A context must start with `/` and a letter or digit, and must not be one the valve could
/// confuse with its own `/t/` and `/o/` prefixes. A web application's context is also a path
/// (the valve forwards to it): letters, digits, `/`, `.`, `-`, `_`, `~` only.
fn check_context(path: &FieldPath, context: &str, webapp: bool) -> Result<(), ConfigError> {
    let bad = |reason: &str| {
        Err(ConfigError::at(
            path.clone(),
            ConfigErrorKind::InvalidGlob {
                glob: context.to_owned(),
                reason: reason.to_owned(),
            },
        ))
    };
    let mut chars = context.chars();
    if chars.next() != Some('/')
        || !chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        return bad("a rewrite context starts with '/' and a letter, digit or '.'");
    }
    let lower = context.to_ascii_lowercase();
    if ["/t/", "/t.", "/o/", "/o."]
        .iter()
        .any(|p| lower.starts_with(p))
        || lower == "/t"
        || lower == "/o"
    {
        return bad("a rewrite context may not start with the valve's own /t/ or /o/ prefix");
    }
    if webapp
        && !context
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/.-_~".contains(&b))
    {
        return bad("a web application context is a path: letters, digits and /.-_~ only");
    }
    Ok(())
}

impl TenantValve {
    /// Compiles the `tenant_context_rewrite` and `organization_context_rewrite` blocks of
    /// `product_routing` (at `path`); either may be absent.
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidGlob`] for a context that is not a path the valve can forward
    /// to (see the field docs), [`ConfigErrorKind::InvalidRegex`] for one that does not compile.
    pub fn compile(
        path: &FieldPath,
        tenant: Option<&TenantValveConfig>,
        organization: Option<&OrgContextConfig>,
    ) -> Result<Self, ConfigError> {
        let empty = TenantValveConfig::default();
        let tenant = tenant.unwrap_or(&empty);
        let path_org = path.key("organization_context_rewrite");
        let path = &path.key("tenant_context_rewrite");
        let mut rewrites = Vec::new();
        for (field, list, webapp) in [
            ("webapp_contexts", &tenant.webapp_contexts, true),
            ("servlet_contexts", &tenant.servlet_contexts, false),
        ] {
            for (i, context) in list.iter().enumerate() {
                let here = path.key(field).index(i);
                check_context(&here, context, webapp)?;
                let prefix = match (webapp, context.as_str()) {
                    (true, "/console/" | "/myaccount/") => "^/t/([^/]+)(/o|/o/([^/]+))?",
                    (true, _) => "^/t/([^/]+)(/o)?",
                    (false, _) => "^/t/([^/]+)",
                };
                rewrites.push(Rewrite {
                    context: context.clone(),
                    webapp,
                    tenant_pattern: compile_regex(&here, &format!("{prefix}{context}"))?,
                    strip: compile_regex(&here, &format!("/t/.*{context}"))?,
                });
            }
        }
        let tenant_perspective = compile_orgs(
            &path.key("tenant_perspective_organization"),
            &tenant.tenant_perspective_organization,
            "^/t/[^/]+/o/[a-f0-9\\-]+?",
            "^/t/[^/]+/o/[a-f0-9\\-]+",
        )?;
        let organization = match organization {
            Some(o) => compile_orgs(&path_org, o, "^/o/([^/]+)", "^/o/([^/]+)")?,
            None => Vec::new(),
        };
        Ok(Self {
            rewrites,
            tenant_perspective,
            organization,
            overwrite_dispatch: tenant.overwrite_dispatch_contexts.clone(),
            ignore_paths: tenant.overwrite_dispatch_ignore_paths.clone(),
            org_in_tenant: compile_regex(path, "^/t/[^/]+/o/[a-f0-9\\-]+?")?,
        })
    }

    /// The first segment of every context, lower-case (`oauth2`, `api`, `commonauth`, …).
    pub fn context_roots(&self) -> Vec<String> {
        let contexts = self
            .rewrites
            .iter()
            .map(|r| r.context.as_str())
            .chain(self.tenant_perspective.iter().map(|o| o.context.as_str()))
            .chain(self.organization.iter().map(|o| o.context.as_str()));
        let mut roots: Vec<String> = contexts
            .filter_map(|c| {
                let first = c.trim_start_matches('/').split('/').next()?;
                let literal: String = first
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "-_~.".contains(*c))
                    .collect();
                (!literal.is_empty()).then(|| literal.to_ascii_lowercase())
            })
            .collect();
        roots.sort();
        roots.dedup();
        roots
    }

    /// Appends the valves' landings of `raw` (the raw request URI, no query) to `out`: none when
    /// no context matches (the valves pass the request on unchanged).
    ///
    /// # Errors
    /// A [`PathError`] when a dispatch path cannot be normalised or does not start with `/`
    /// (the product's dispatcher throws: the request errors, and the gateway refuses it).
    pub fn landings(&self, raw: &str, out: &mut Vec<Landing>) -> Result<(), PathError> {
        // Every pattern of both valves is anchored at `^/t/` or `^/o/`.
        if !raw.starts_with("/t/") && !raw.starts_with("/o/") {
            return Ok(());
        }
        if raw.starts_with("/o/") {
            // Under the super tenant: the tenant valve reads it as /t/carbon.super/...
            let as_super = raw.replace("/o/", &format!("/t/{SUPER_TENANT}/"));
            if let Some(l) = self.tenant_landing(&as_super)? {
                out.push(l);
            }
            // Otherwise: the organisation valve.
            if let Some(l) = self.organization_landing(raw)? {
                out.push(l);
            }
            return Ok(());
        }
        if let Some(l) = self.tenant_landing(raw)? {
            out.push(l);
        }
        Ok(())
    }

    fn choose<'a>(&'a self, uri: &str) -> Option<Chosen<'a>> {
        let with_slash = format!("{uri}/");
        let mut chosen = self
            .rewrites
            .iter()
            .find(|r| r.tenant_pattern.is_match(uri) || r.tenant_pattern.is_match(&with_slash))
            .map(|r| Chosen {
                context: &r.context,
                webapp: r.webapp,
                strip: &r.strip,
                org_id: None,
            });
        for o in &self.tenant_perspective {
            if !o.base.is_match(uri) {
                continue;
            }
            let hit = o.sub_paths.is_empty() || o.sub_paths.iter().any(|s| s.is_match(uri));
            if hit {
                chosen = Some(Chosen {
                    context: &o.context,
                    webapp: o.webapp,
                    strip: &o.strip,
                    org_id: Some(segment_after(uri, "/o/").to_owned()),
                });
                break;
            }
        }
        chosen
    }

    fn tenant_landing(&self, uri: &str) -> Result<Option<Landing>, PathError> {
        let Some(chosen) = self.choose(uri) else {
            return Ok(None);
        };
        let tenant = segment_after(uri, "/t/");
        let mut prefix = vec![("/t/", tenant)];
        if let Some(org) = &chosen.org_id {
            prefix.push(("/o/", org.as_str()));
        }
        let (kind, dispatch) = if chosen.webapp {
            let mut dispatch = format!("/{}", chosen.strip.replace_all(uri, ""));
            if !uri.starts_with("/o/") && uri.contains("/o/") && !self.org_in_tenant.is_match(uri) {
                dispatch = format!("/o{dispatch}");
            }
            if self.overwrite_dispatch.iter().any(|c| c == chosen.context)
                && !self
                    .ignore_paths
                    .iter()
                    .any(|p| dispatch.starts_with(p.as_str()))
            {
                dispatch = "/".to_owned();
            }
            ("webapp", dispatch)
        } else {
            let mut dispatch = uri.replace("//", "").replace(&format!("/t/{tenant}"), "");
            if let Some(org) = &chosen.org_id {
                dispatch = dispatch.replace(&format!("/o/{org}"), "");
            }
            ("servlet", dispatch)
        };
        landing(&prefix, kind, chosen.context, chosen.webapp, &dispatch).map(Some)
    }

    fn organization_landing(&self, uri: &str) -> Result<Option<Landing>, PathError> {
        let with_slash = format!("{uri}/");
        let matched = |r: &Regex| r.is_match(uri) || r.is_match(&with_slash);
        let Some(o) = self.organization.iter().find(|o| {
            matched(&o.base) && (o.sub_paths.is_empty() || o.sub_paths.iter().any(matched))
        }) else {
            // The valve answers 404 itself ("Organization specific routing failed").
            return Ok(None);
        };
        let org = segment_after(uri, "/o/");
        let (kind, dispatch) = if o.webapp {
            let gone = format!("/o/{org}{}", o.context);
            ("webapp", format!("/{}", uri.replace(&gone, "")))
        } else {
            let dispatch = uri.replace("//", "").replace(&format!("/o/{org}"), "");
            ("servlet", dispatch)
        };
        landing(&[("/o/", org)], kind, &o.context, o.webapp, &dispatch).map(Some)
    }
}

fn compile_orgs(
    path: &FieldPath,
    config: &OrgContextConfig,
    base_prefix: &str,
    sub_prefix: &str,
) -> Result<Vec<OrgRewrite>, ConfigError> {
    let mut out = Vec::new();
    for (i, webapp) in config.webapp_contexts.iter().enumerate() {
        let here = path.key("webapp_contexts").index(i);
        check_context(&here.key("base_path"), &webapp.base_path, true)?;
        let sub_paths = webapp
            .sub_paths
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let at = here.key("sub_paths").index(j);
                check_context(&at, s, false)?;
                compile_regex(&at, &format!("{sub_prefix}{s}"))
            })
            .collect::<Result<_, _>>()?;
        out.push(OrgRewrite {
            context: webapp.base_path.clone(),
            webapp: true,
            base: compile_regex(&here, &format!("{base_prefix}{}", webapp.base_path))?,
            sub_paths,
            strip: compile_regex(&here, &format!("/t/.*{}", webapp.base_path))?,
        });
    }
    for (i, servlet) in config.servlet_contexts.iter().enumerate() {
        let here = path.key("servlet_contexts").index(i);
        check_context(&here, servlet, false)?;
        out.push(OrgRewrite {
            context: servlet.clone(),
            webapp: false,
            base: compile_regex(&here, &format!("{base_prefix}{servlet}"))?,
            sub_paths: Vec::new(),
            strip: compile_regex(&here, &format!("/t/.*{servlet}"))?,
        });
    }
    Ok(out)
}

/// The text after the first `marker` up to the next `/` (`MultitenantUtils`'s tenant from a URL,
/// the valve's `substring(indexOf("/o/") + 3, indexOf("/", start))`); empty when absent.
fn segment_after<'a>(uri: &'a str, marker: &str) -> &'a str {
    let Some(start) = uri.find(marker).map(|i| i + marker.len()) else {
        return "";
    };
    let rest = uri.get(start..).unwrap_or_default();
    rest.split('/').next().unwrap_or_default()
}

/// The landing `{prefix}{webapp context}{dispatch}` (servlets: `{prefix}{dispatch}`), with the
/// dispatch path as the request dispatcher reads it ([`dispatcher_path`]) and the prefix's tenant
/// and organisation segments each one real segment ([`qualifier_segment`]).
fn landing(
    prefix: &[(&str, &str)],
    kind: &str,
    context: &str,
    webapp: bool,
    dispatch: &str,
) -> Result<Landing, PathError> {
    let dispatched = dispatcher_path(dispatch)?;
    let mut head = String::new();
    for (marker, segment) in prefix {
        head.push_str(marker);
        head.push_str(&qualifier_segment(segment)?);
    }
    let base = if webapp {
        context.trim_end_matches('/')
    } else {
        ""
    };
    let path = normalize_path(format!("{head}{base}{dispatched}").as_bytes())?;
    Ok(Landing {
        layer: Layer::TenantValve,
        path,
        detail: Some(format!("{kind} {context} dispatch {dispatch}")),
    })
}

/// The path `ApplicationContext.getRequestDispatcher(path)` (Tomcat 9 and 10) dispatches to:
/// path parameters stripped, then `RequestUtil.normalize` on the **still-encoded** path (`//`
/// merged, `.` and `..` removed; above the root there is no dispatcher), then percent-decoded;
/// a decoded path that would normalise differently (an encoded dot segment such as `%2e`) gets no
/// dispatcher either. So `/%69ntrospect/%2e/..` is `/introspect` to the dispatcher, where a
/// decode-first reading sees `/`.
///
/// # Errors
/// [`PathError::DispatchRefused`] where the dispatcher gives none (the product answers 500), and
/// the errors of [`normalize_path`] for what it refuses in the decoded path.
fn dispatcher_path(dispatch: &str) -> Result<String, PathError> {
    if !dispatch.starts_with('/') {
        return Err(PathError::DispatchRefused);
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut trailing = false;
    for raw in dispatch.split('/').skip(1) {
        let segment = raw.split(';').next().unwrap_or_default();
        // `RequestUtil.normalize` keeps a written trailing `/` but not the one it adds to
        // resolve a final `.` or `..` (`/a/b/..` is `/a`).
        trailing = segment.is_empty();
        match segment {
            "" | "." => {}
            ".." => {
                if kept.pop().is_none() {
                    return Err(PathError::DispatchRefused);
                }
            }
            s => kept.push(s),
        }
    }
    // Decoded, a surviving `%2e` would be a dot segment: `RequestUtil.normalize` would change
    // the decoded path, so the dispatcher refuses it.
    if kept.iter().any(|s| is_encoded_dot_segment(s)) {
        return Err(PathError::DispatchRefused);
    }
    let mut joined = format!("/{}", kept.join("/"));
    if trailing && !kept.is_empty() {
        joined.push('/');
    }
    normalize_path(joined.as_bytes())
}

/// `%2e`, `%2e%2e`, `.%2e`, `%2e.` in any case: a segment that decodes to `.` or `..`.
fn is_encoded_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    let rest = lower.replace("%2e", ".");
    rest != lower && (rest == "." || rest == "..")
}

/// A tenant domain or organisation id from the raw URI, as one canonical segment.
///
/// # Errors
/// [`PathError::DispatchRefused`] for one that is empty or a dot segment (`.`, `%2e`): the
/// product refuses such a tenant (404); read as a path it would shift every later segment.
fn qualifier_segment(raw: &str) -> Result<String, PathError> {
    let canonical = normalize_path(format!("/{raw}").as_bytes())?;
    match canonical.strip_prefix('/') {
        Some(segment) if !segment.is_empty() && !segment.contains('/') => Ok(segment.to_owned()),
        _ => Err(PathError::DispatchRefused),
    }
}
