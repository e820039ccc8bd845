//! Where the back end routes a request: one interpretation ([`Landing`]) per routing layer.
//!
//! Tomcat is not the last router in front of a WSO2 product. The product's own valves read the
//! raw request URI again and forward it somewhere else, and other layers (a proxy, a servlet
//! filter, the authentication valve's access control list) may read the raw target as it came.
//! So the allowlist does not judge one path but every path the request can land on:
//!
//! | [`Layer`] | what it computes | source |
//! | --- | --- | --- |
//! | `tomcat` | [`crate::path::normalize_target`]: parameters stripped, decoded, dot segments removed | Tomcat `CoyoteAdapter.postParseRequest` |
//! | `tenant_valve` | the product's tenant and organisation dispatch on the raw URI ([`tenant_valve`]) | `TenantContextRewriteValve.invoke` (wso2-extensions/identity-carbon-auth-rest) |
//! | `raw` | the raw path, only `;` parameters stripped per segment ([`raw`]) | what a router that does not normalise sees |
//!
//! A request is allowed only when every landing is allowed and none is denied (the allowlist
//! decides that); a landing the model cannot compute unambiguously is an error, which the
//! allowlist refuses with 400.

mod config;
pub mod raw;
pub mod tenant_valve;

use std::fmt;

pub use config::{
    OrgContextConfig, OrgWebappConfig, ProductRouting, RoutingConfig, TenantValveConfig,
};
pub use tenant_valve::TenantValve;

use crate::error::ConfigError;
use crate::field_path::FieldPath;
use crate::path::{NormalizedTarget, PathError};

/// A routing layer of the back end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Tomcat's own mapping of the request URI (the path every layer starts from).
    Tomcat,
    /// The product's `TenantContextRewriteValve`: tenant (`/t/{tenant}`) and organisation
    /// (`/o/`) dispatch, computed on the raw URI.
    TenantValve,
    /// The raw path as received (only `;` path parameters stripped).
    Raw,
}

impl Layer {
    /// snake_case name for logs and explanations: `tomcat`, `tenant_valve`, `raw`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tomcat => "tomcat",
            Self::TenantValve => "tenant_valve",
            Self::Raw => "raw",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One interpretation of a request: the path a layer routes it to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Landing {
    /// The layer.
    pub layer: Layer,
    /// The path the request lands on, in the canonical form of
    /// [`crate::path::normalize_path`] for `tomcat` and `tenant_valve` (tenant-qualified:
    /// `/t/{tenant}{webapp}{dispatch path}`), as received for `raw`.
    pub path: String,
    /// For `tenant_valve`: which rewrite context and dispatch path the valve chose
    /// (`webapp /oauth2/ dispatch /token`), for explanations.
    pub detail: Option<String>,
}

/// The compiled routing model of one virtual host.
#[derive(Debug, Clone, Default)]
pub struct RoutingModel {
    tenant_valve: Option<TenantValve>,
}

impl RoutingModel {
    /// Compiles the `product_routing` block (`None`: Tomcat and raw layers only).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the rewrite context that does not compile (see
    /// [`TenantValve::compile`]).
    pub fn compile(path: &FieldPath, config: Option<&RoutingConfig>) -> Result<Self, ConfigError> {
        let tenant_valve = config
            .filter(|c| {
                c.tenant_context_rewrite.is_some() || c.organization_context_rewrite.is_some()
            })
            .map(|c| {
                TenantValve::compile(
                    path,
                    c.tenant_context_rewrite.as_ref(),
                    c.organization_context_rewrite.as_ref(),
                )
            })
            .transpose()?;
        Ok(Self { tenant_valve })
    }

    /// The rewrite contexts' first segments (`oauth2`, `api`, `scim2`, …): the context roots a
    /// `**` tail may not reach into. Lower-case.
    pub fn context_roots(&self) -> Vec<String> {
        self.tenant_valve
            .as_ref()
            .map(TenantValve::context_roots)
            .unwrap_or_default()
    }

    /// Every landing of `target`: Tomcat's first, then the valve's (none when no rewrite context
    /// matches, or one per reading the valve's runtime state allows), then the raw one.
    ///
    /// # Errors
    /// The [`PathError`] of a landing that cannot be normalised (a dispatch path the product's
    /// request dispatcher would refuse, such as one that does not start with `/`).
    pub fn landings(&self, target: &NormalizedTarget) -> Result<Vec<Landing>, PathError> {
        let mut out = Vec::with_capacity(3);
        out.push(Landing {
            layer: Layer::Tomcat,
            path: target.path.clone(),
            detail: None,
        });
        if let Some(valve) = &self.tenant_valve {
            valve.landings(&target.raw_path, &mut out)?;
        }
        out.push(Landing {
            layer: Layer::Raw,
            path: raw::raw_landing(&target.raw_path),
            detail: None,
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
