//! The `product_routing` block of a virtual host: how the product behind it routes a request
//! after Tomcat. Its lists are the product's own settings (`identity.xml`, rendered from
//! `deployment.toml` `[tenant_context.rewrite]` and the product's defaults), under the same names.
//!
//! Written as an object, or as the name of a built-in model (`"wso2-identity-server"`: the
//! defaults of WSO2 Identity Server 7, `policies/presets/routing/wso2-identity-server.json`).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `product_routing`: the routing layers of the product behind a virtual host.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingConfig {
    /// The `TenantContextRewriteValve` (Identity Server, and API Manager's key manager).
    #[serde(default)]
    pub tenant_context_rewrite: Option<TenantValveConfig>,
    /// The `OrganizationContextRewriteValve` (`OrgContextsToRewrite`): `/o/{org}{context}`.
    #[serde(default)]
    pub organization_context_rewrite: Option<OrgContextConfig>,
}

/// The tenant valve's settings (`TenantContextsToRewrite`). Each context is the string the
/// product compiles into a Java regex (`/api/identity/user/v1.0/`, `/commonauth(.*)`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantValveConfig {
    /// `WebApp.Context`: web applications, forwarded across contexts to
    /// `"/" + uri.replaceAll("/t/.*" + context, "")`, tried in this order. Paths: letters,
    /// digits and `/.-_~`.
    #[serde(default)]
    pub webapp_contexts: Vec<String>,
    /// `Servlet.Context`: servlets, dispatched to the URI with every `/t/{tenant}` removed;
    /// tried after every web application. Java regex fragments.
    #[serde(default)]
    pub servlet_contexts: Vec<String>,
    /// `OverwriteDispatch.Context`: web applications whose dispatch path becomes `/`.
    #[serde(default)]
    pub overwrite_dispatch_contexts: Vec<String>,
    /// `OverwriteDispatch.IgnorePath`: dispatch-path prefixes kept in those applications.
    #[serde(default)]
    pub overwrite_dispatch_ignore_paths: Vec<String>,
    /// `OrgContextsToRewriteInTenantPerspective`: contexts also reached as
    /// `/t/{tenant}/o/{org-id}{context}`.
    #[serde(default)]
    pub tenant_perspective_organization: OrgContextConfig,
}

/// Organisation contexts (`OrgContextsToRewrite`, `OrgContextsToRewriteInTenantPerspective`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgContextConfig {
    /// Web applications, each a base path with optional sub-paths (when there are sub-paths,
    /// only they are rewritten).
    #[serde(default)]
    pub webapp_contexts: Vec<OrgWebappConfig>,
    /// Servlets (Java regex fragments).
    #[serde(default)]
    pub servlet_contexts: Vec<String>,
}

/// One organisation web application: `<Context><BasePath>` with its `<SubPaths>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgWebappConfig {
    /// `BasePath`: the web application's context (`/api/`).
    pub base_path: String,
    /// `SubPaths.Path`: full paths below it (`/api/identity/oauth2/dcr/`).
    #[serde(default)]
    pub sub_paths: Vec<String>,
}

/// The built-in models, by name: `(name, JSON)`.
const MODELS: &[(&str, &str)] = &[(
    "wso2-identity-server",
    include_str!("../../presets/routing/wso2-identity-server.json"),
)];

/// `product_routing` as written: a built-in model's name, or the object.
#[derive(Debug, Clone, Default)]
pub struct ProductRouting(pub RoutingConfig);

impl<'de> Deserialize<'de> for ProductRouting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RoutingVisitor;
        impl<'de> Visitor<'de> for RoutingVisitor {
            type Value = ProductRouting;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("\"wso2-identity-server\", or an object with `tenant_context_rewrite`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ProductRouting, E> {
                let json = MODELS
                    .iter()
                    .find(|(name, _)| *name == v)
                    .map(|(_, json)| *json)
                    .ok_or_else(|| E::unknown_variant(v, &["wso2-identity-server"]))?;
                serde_json::from_str(json)
                    .map(ProductRouting)
                    .map_err(|e| E::custom(format!("built-in model `{v}`: {e}")))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ProductRouting, A::Error> {
                RoutingConfig::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ProductRouting)
            }
        }
        deserializer.deserialize_any(RoutingVisitor)
    }
}
