//! What an exchange is made of (serde: the playground's request builder and permalinks, the
//! scenario runner's export).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::value::{Bytes, HostKind, PropertyValue};
use crate::attributes::AttributeTable;

/// One request on one connection, and the upstream's answer should it get there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The request.
    pub request: RequestInput,
    /// The host whose property encodings apply.
    #[serde(default)]
    pub host: HostKind,
    /// The downstream connection's properties, by dotted path (`source.address`,
    /// `connection.tls_version`, `connection.mtls`, `connection.requested_server_name`,
    /// `connection.subject_peer_certificate`, `filter_state.<key>`); a property not given is
    /// one the host does not report.
    #[serde(default)]
    pub properties: BTreeMap<String, PropertyValue>,
    /// The upstream's answer; absent: `200` with no headers.
    #[serde(default)]
    pub upstream: Option<UpstreamInput>,
}

/// The request as the module's first callback sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// Headers in order, pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`) included,
    /// names lower-case as Envoy hands them over.
    pub headers: Vec<(String, Bytes)>,
    /// The body; absent or empty: none (the headers end the stream).
    #[serde(default)]
    pub body: Option<Bytes>,
    /// Trailers (they end the body).
    #[serde(default)]
    pub trailers: Vec<(String, Bytes)>,
}

/// The upstream's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamInput {
    /// The status (an HTTP status code).
    pub status: u16,
    /// Headers in order, without `:status`.
    #[serde(default)]
    pub headers: Vec<(String, Bytes)>,
    /// The upstream connection's properties (`upstream.address`, `upstream.tls_version`,
    /// `upstream.subject_peer_certificate`, `xds.cluster_name`), readable at response time.
    #[serde(default)]
    pub properties: BTreeMap<String, PropertyValue>,
}

impl Default for UpstreamInput {
    fn default() -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            properties: BTreeMap::new(),
        }
    }
}

/// `pairs` as raw header pairs; the error names the header.
pub(super) fn pairs(pairs: &[(String, Bytes)]) -> Result<Vec<(String, Vec<u8>)>, String> {
    pairs
        .iter()
        .map(|(n, v)| {
            Ok((
                n.clone(),
                v.to_vec().map_err(|e| format!("header {n}: {e}"))?,
            ))
        })
        .collect()
}

/// `properties` encoded for `host`, added to `table`; the error names the property.
pub(super) fn table(
    mut table: AttributeTable,
    properties: &BTreeMap<String, PropertyValue>,
    host: HostKind,
) -> Result<AttributeTable, String> {
    for (path, value) in properties {
        let bytes = value
            .encode(host)
            .map_err(|e| format!("property {path}: {e}"))?;
        table = table.with(path, bytes);
    }
    Ok(table)
}
