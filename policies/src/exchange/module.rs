//! A module's compiled policies, in request order: one filter's (`context-allowlist`), or the
//! combined module's sections (`gateway-hardening`, [`crate::combined`]). The one registry of
//! policies by filter name in this crate: [`crate::check`] and the playground compile here.

use crate::allowlist::AllowlistPlan;
use crate::combined;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;
use crate::headers::HeaderPlan;
use crate::tls::TlsGuardPlan;

/// One compiled policy.
#[derive(Debug, Clone)]
pub enum PolicyPlan {
    /// `header-hardening`.
    Headers(Box<HeaderPlan>),
    /// `tls-guard`.
    Tls(Box<TlsGuardPlan>),
    /// `context-allowlist`.
    Allowlist(Box<AllowlistPlan>),
}

impl PolicyPlan {
    /// Compiles `json` as the plugin configuration of the single filter `filter`; `Ok(None)`
    /// for a name that is no single filter's.
    ///
    /// # Errors
    /// The policy's configuration error, naming the field, line and column.
    pub fn compile(filter: &str, json: &[u8]) -> Result<Option<Self>, ConfigError> {
        Ok(Some(match filter {
            crate::headers::FILTER => Self::Headers(Box::new(HeaderPlan::from_json(json)?)),
            crate::tls::FILTER => Self::Tls(Box::new(TlsGuardPlan::from_json(json)?)),
            crate::allowlist::FILTER => Self::Allowlist(Box::new(AllowlistPlan::from_json(json)?)),
            _ => return Ok(None),
        }))
    }

    /// The policy's filter name.
    pub fn filter(&self) -> &'static str {
        match self {
            Self::Headers(_) => crate::headers::FILTER,
            Self::Tls(_) => crate::tls::FILTER,
            Self::Allowlist(_) => crate::allowlist::FILTER,
        }
    }
}

/// The policies of one module, in request order.
#[derive(Debug, Clone)]
pub struct Module {
    /// The module's name: a filter's, or [`combined::MODULE`].
    pub name: String,
    /// Its policies, in request order.
    pub policies: Vec<PolicyPlan>,
}

impl Module {
    /// Compiles the plugin configuration `json` of the module `name`: a single filter's
    /// (`context-allowlist`, `header-hardening`, `tls-guard`) or the combined module's
    /// (`gateway-hardening`: a section per policy), exactly as the module's `on_configure` does.
    ///
    /// # Errors
    /// The refused configuration's error, naming the field (with the section in front for the
    /// combined module), line and column; an unknown module name is an error at the root.
    pub fn compile(name: &str, json: &[u8]) -> Result<Self, ConfigError> {
        let policies = if name == combined::MODULE {
            let mut out = Vec::new();
            for (section, text) in combined::split(json)? {
                let plan = PolicyPlan::compile(section.filter, text.as_bytes())
                    .map_err(|e| combined::in_section(e, section.key, json))?
                    .ok_or_else(|| unknown(section.filter))?;
                out.push(plan);
            }
            out
        } else {
            vec![PolicyPlan::compile(name, json)?.ok_or_else(|| unknown(name))?]
        };
        Ok(Self {
            name: name.to_owned(),
            policies,
        })
    }
}

fn unknown(name: &str) -> ConfigError {
    ConfigError::at(
        FieldPath::root(),
        ConfigErrorKind::Syntax(format!(
            "no module named {name}; expected one of {}",
            crate::check::FILTERS.join(", ")
        )),
    )
}
