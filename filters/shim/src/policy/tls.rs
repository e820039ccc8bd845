//! tls-guard's stage: `policies::tls::TlsGuardPlan::decide_request` on the request,
//! `decide_response` on the answer, each verdict applied by [`crate::apply`].

use std::cell::Cell;
use std::rc::Rc;

use policies::tls::{AllowReason, Decision, DenyReason, MissingProperties, Property, TlsGuardPlan};

use crate::apply::{Applied, Line, apply};
use crate::attributes::PhaseAttributes;
use crate::log;
use crate::metrics::DecisionCounters;
use crate::stage::{Flow, Policy, RequestCtx, Stage};

/// The filter's name.
pub const FILTER: &str = "tls-guard";

/// This filter's counters besides its decisions' (`allowed.<reason>`, `denied.<reason>`,
/// `shadow_denied.<reason>`): the plaintext redirect.
const EXTRA_COUNTERS: [&str; 1] = ["redirected.plaintext"];

/// The compiled plan, its counters, and which missing properties have been logged already
/// (once per VM).
pub struct TlsGuard {
    plan: TlsGuardPlan,
    counters: DecisionCounters<AllowReason, DenyReason>,
    missing_logged: [Cell<bool>; Property::ALL.len()],
    /// The deny reason this test build never applies (`mutants` feature, `_mutant`).
    #[cfg(feature = "mutants")]
    mutant: Option<String>,
}

/// Compiles tls-guard's plugin configuration (`TlsGuardPlan::from_json`; with the `mutants`
/// feature, `_mutant` is the deny reason this build never applies) and defines its counters.
///
/// # Errors
/// The compile error, naming the field.
pub fn compile(json: &[u8]) -> Result<Rc<dyn Policy>, policies::ConfigError> {
    #[cfg(feature = "mutants")]
    let (mutant, json) = crate::mutant::split_config(json, &DenyReason::ALL)?;
    #[cfg(feature = "mutants")]
    let json = json.as_slice();
    let plan = TlsGuardPlan::from_json(json)?;
    Ok(Rc::new(TlsGuard {
        plan,
        counters: DecisionCounters::define(FILTER, &EXTRA_COUNTERS),
        missing_logged: Default::default(),
        #[cfg(feature = "mutants")]
        mutant,
    }))
}

impl Policy for TlsGuard {
    fn stage(self: Rc<Self>) -> Box<dyn Stage> {
        Box::new(TlsGuardStage {
            shared: self,
            replied: false,
            request_id: String::new(),
            target: Vec::new(),
            debug: false,
        })
    }
}

impl TlsGuard {
    /// Logs, once per VM and property, that the host does not report `property`.
    fn note_missing(&self, property: Property) {
        let Some(flag) = self.missing_logged.get(property.index()) else {
            return;
        };
        if flag.replace(true) {
            return;
        }
        let decision = match self.plan.missing_properties() {
            MissingProperties::Deny => "deny",
            MissingProperties::Allow => "allow",
        };
        log::warn(&format!(
            "{FILTER}: the host does not report {}; missing_properties={decision} decides every such request (logged once per VM)",
            property.attribute()
        ));
    }

    /// Applies `decision` for the request `line` names; `host` is the request's authority
    /// (empty at response time). The log line says what was (or in shadow mode would have
    /// been) answered: the status, the redirect's location, the missing property.
    fn apply(&self, decision: Decision, line: Line<'_>, host: &[u8]) -> Flow {
        #[cfg(feature = "mutants")]
        let decision = super::tls_mutant::apply(self.mutant.as_deref(), decision);
        let status_text = match &decision {
            Decision::Deny { status, .. } => status.to_string(),
            _ => String::new(),
        };
        let location = match &decision {
            Decision::Redirect { location } => location.clone(),
            _ => String::new(),
        };
        let mut fields: Vec<(&str, &[u8])> = Vec::new();
        match &decision {
            Decision::Allow(AllowReason::MissingProperty(p)) => self.note_missing(*p),
            Decision::Allow(_) => {}
            Decision::Redirect { .. } => {
                fields.push(("host", host));
                fields.push(("status", b"308"));
                fields.push(("location", location.as_bytes()));
            }
            Decision::Deny { reason, .. } => {
                fields.push(("status", status_text.as_bytes()));
                if !host.is_empty() {
                    fields.push(("host", host));
                }
                match reason {
                    DenyReason::MissingProperty(p) => {
                        self.note_missing(*p);
                        fields.push(("property", p.attribute().as_bytes()));
                    }
                    DenyReason::MalformedPath(e) => fields.push(("detail", e.as_str().as_bytes())),
                    _ => {}
                }
            }
        }
        let verdict = decision.verdict(self.plan.mode());
        match apply(&self.counters, &verdict, line, &fields, None) {
            Applied::Continue => Flow::Continue,
            Applied::Replied => Flow::Replied,
        }
    }
}

/// One request.
struct TlsGuardStage {
    shared: Rc<TlsGuard>,
    /// This stage answered the request itself: nothing to check on its own response.
    replied: bool,
    /// Kept for the response-time log line.
    request_id: String,
    /// The raw request target, for the response-time log line.
    target: Vec<u8>,
    /// Whether the host logs `debug` lines (asked at request time).
    debug: bool,
}

impl Stage for TlsGuardStage {
    fn on_request_headers(&mut self, req: &RequestCtx<'_>) -> Flow {
        let shared = &self.shared;
        let decision = shared.plan.decide_request(req.head, req.attrs);
        self.debug = req.debug;
        if req.debug {
            log::trace(
                req.request_id,
                &shared.plan.trace_request(req.head, req.attrs).1,
            );
        }
        if shared.plan.has_response_checks() {
            self.request_id = req.request_id.to_owned();
            self.target = req.head.target().to_vec();
        }
        let line = Line {
            filter: FILTER,
            request_id: req.request_id,
            target: req.head.target(),
            debug: req.debug,
        };
        let flow = shared.apply(decision, line, req.head.authority());
        self.replied = flow == Flow::Replied;
        flow
    }

    fn on_response_headers(&mut self) -> Flow {
        let shared = Rc::clone(&self.shared);
        if self.replied || !shared.plan.has_response_checks() {
            return Flow::Continue;
        }
        let attrs = PhaseAttributes::default();
        let decision = shared.plan.decide_response(&attrs);
        let request_id = std::mem::take(&mut self.request_id);
        if self.debug {
            log::trace(&request_id, &shared.plan.trace_response(&attrs).1);
        }
        let target = std::mem::take(&mut self.target);
        let line = Line {
            filter: FILTER,
            request_id: &request_id,
            target: &target,
            debug: self.debug,
        };
        let flow = shared.apply(decision, line, b"");
        self.replied = flow == Flow::Replied;
        flow
    }
}
