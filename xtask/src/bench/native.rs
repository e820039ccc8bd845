//! The bench's non-Wasm rows: what Envoy's own filters cost for a similar job. Native: the RBAC
//! filter denying the example allowlist's admin prefixes (and their `/t/{tenant}/` forms) and
//! `header_mutation` writing the OWASP header set and removing `Server`. Lua: one script doing
//! the same. Neither normalises the path or models the product's routing as context-allowlist
//! does: they are the price floor of "deny some prefixes, add some headers".

use anyhow::{Context, Result};

/// The deny list of the example's context-allowlist (`plugin-config/context-allowlist.json`,
/// every virtual host): plain prefixes, and the tenant forms' contexts (`/t/*/<context>`).
fn deny_prefixes() -> Result<(Vec<String>, Vec<String>)> {
    let path = crate::examples::plugin_config_dir().join("context-allowlist.json");
    let config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let mut plain = Vec::new();
    let mut tenant = Vec::new();
    for host in config
        .get("virtual_hosts")
        .and_then(serde_json::Value::as_array)
        .context("context-allowlist.json has no virtual_hosts")?
    {
        let deny = host.get("deny").and_then(serde_json::Value::as_array);
        for d in deny.into_iter().flatten() {
            let Some(d) = d.as_str() else { continue };
            match d.strip_prefix("/t/*") {
                Some(rest) => tenant.push(rest.to_owned()),
                None => plain.push(d.to_owned()),
            }
        }
    }
    plain.dedup();
    tenant.dedup();
    Ok((plain, tenant))
}

/// The OWASP header set of a local reply (`policies::headers::owasp::LOCAL_REPLY`), without
/// the body-related ones.
fn owasp_headers() -> Vec<(&'static str, &'static str)> {
    policies::headers::owasp::LOCAL_REPLY
        .iter()
        .filter(|(n, _)| *n != "content-type")
        .copied()
        .collect()
}

/// RBAC + header_mutation, as http_filters YAML entries (indented for `envoy_yaml::direct_response_listener`).
pub(crate) fn native() -> Result<String> {
    let (plain, tenant) = deny_prefixes()?;
    let mut rules = String::new();
    for p in &plain {
        rules.push_str(&format!(
            "\n                    - url_path: {{ path: {{ prefix: \"{p}\" }} }}"
        ));
    }
    // One regex per tenant context: Envoy refuses a regex whose RE2 program is over 100.
    for t in &tenant {
        rules.push_str(&format!(
            "\n                    - url_path: {{ path: {{ safe_regex: {{ regex: \"/t/[^/]+{}.*\" }} }} }}",
            regex_escape(t)
        ));
    }
    let mut mutations = String::from("\n            - remove: server");
    for (name, value) in owasp_headers() {
        mutations.push_str(&format!(
            "\n            - append: {{ header: {{ key: {name}, value: {} }}, append_action: OVERWRITE_IF_EXISTS_OR_ADD }}",
            serde_json::to_string(value)?
        ));
    }
    Ok(format!(
        r#"
      - name: envoy.filters.http.header_mutation
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.header_mutation.v3.HeaderMutation
          mutations:
            response_mutations:{mutations}
      - name: envoy.filters.http.rbac
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
          rules:
            action: DENY
            policies:
              admin-contexts:
                principals: [ {{ any: true }} ]
                permissions:
                - or_rules:
                    rules:{rules}"#
    ))
}

/// One Lua script doing the same (prefix denies with 403, the headers on every answer).
pub(crate) fn lua() -> Result<String> {
    let (plain, tenant) = deny_prefixes()?;
    let quote = |v: &Vec<String>| -> Result<String> {
        Ok(v.iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?
            .join(", "))
    };
    let mut set = String::new();
    for (name, value) in owasp_headers() {
        set.push_str(&format!(
            "  h:replace({}, {})\n",
            serde_json::to_string(name)?,
            serde_json::to_string(value)?
        ));
    }
    let script = format!(
        r#"local plain = {{ {} }}
local tenant = {{ {} }}
local function starts(s, p) return s:sub(1, #p) == p end
function envoy_on_request(handle)
  local path = handle:headers():get(":path") or ""
  for _, p in ipairs(plain) do
    if starts(path, p) then handle:respond({{[":status"] = "403"}}, "Forbidden\n") return end
  end
  local rest = path:match("^/t/[^/]+(/.*)$")
  if rest then
    for _, p in ipairs(tenant) do
      if starts(rest, p) then handle:respond({{[":status"] = "403"}}, "Forbidden\n") return end
    end
  end
end
function envoy_on_response(handle)
  local h = handle:headers()
  h:remove("server")
{set}end
"#,
        quote(&plain)?,
        quote(&tenant)?
    );
    Ok(format!(
        r#"
      - name: envoy.filters.http.lua
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
          default_source_code:
            inline_string: {}"#,
        serde_json::to_string(&script)?
    ))
}

/// `s` with the regex metacharacters it may hold escaped (RE2 syntax).
fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
            out.push('\\');
        }
        out.push(c);
    }
    out
}
