// The request builder: the form fields are views of the exchange. Editing one rewrites only its
// part of the exchange, so values the form does not show (trailers, base64 bytes, other
// properties, the header order) are kept as they are; the advanced editor holds the whole
// exchange and is synced both ways.

import {
  fieldText, parseField, jsonLiteral, hasHidden,
  headersToText, textToHeaders, propertiesToText, textToProperties,
} from './formats.js';
import { h } from './render.js';

const $ = (id) => document.getElementById(id);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Properties a connection quick fill replaces. */
const TLS_PROPERTIES = [
  'connection.tls_version',
  'connection.requested_server_name',
  'connection.subject_peer_certificate',
  'connection.dns_san_peer_certificate',
  'connection.uri_san_peer_certificate',
  'connection.sha256_peer_certificate_digest',
  'filter_state.gateway_hardening.tls_cipher',
];

/** The connection quick fills: the properties each sets (`sni`: the authority's host). */
const CONNECTIONS = {
  plaintext: { scheme: 'http', set: { 'connection.mtls': false } },
  tls13: {
    scheme: 'https',
    set: {
      'connection.tls_version': 'TLSv1.3',
      'connection.mtls': false,
      'connection.requested_server_name': 'sni',
      'filter_state.gateway_hardening.tls_cipher': 'TLS_AES_128_GCM_SHA256',
    },
  },
  tls12: {
    scheme: 'https',
    set: {
      'connection.tls_version': 'TLSv1.2',
      'connection.mtls': false,
      'connection.requested_server_name': 'sni',
      'filter_state.gateway_hardening.tls_cipher': 'ECDHE-RSA-AES128-GCM-SHA256',
    },
  },
  mtls: {
    scheme: 'https',
    set: {
      'connection.tls_version': 'TLSv1.3',
      'connection.mtls': true,
      'connection.requested_server_name': 'sni',
      'filter_state.gateway_hardening.tls_cipher': 'TLS_AES_256_GCM_SHA384',
      'connection.subject_peer_certificate': 'CN=admin.gateway.internal,O=Example Operations',
      'connection.dns_san_peer_certificate': 'admin.gateway.internal',
    },
  },
};

/** The pseudo-headers the method, target and authority fields edit (their first occurrence). */
const PSEUDO_FIELDS = { method: ':method', target: ':path', authority: ':authority' };

/** Fields in JSON mode. */
const jsonMode = { method: false, target: false, authority: false, 'req-body': false };

/** Messages of the fields that do not parse, by field. */
const fieldErrors = {};
const upstreamErrors = {};

/** The page's state (`exchange`, `exchangeText`), the first exchange, and what to do after an edit. */
let ctx = { state: null, defaultExchange: null, onEdit: () => {} };

// ---------------------------------------------------------------------------------------------
// Exchange → fields

function pseudoIndex(headers, name) {
  return headers.findIndex((p) => Array.isArray(p) && p[0] === name);
}

/** Indexes of the headers the method, target and authority fields show. */
function ownedIndexes(headers) {
  const owned = new Set();
  for (const name of Object.values(PSEUDO_FIELDS)) {
    const i = pseudoIndex(headers, name);
    if (i >= 0) owned.add(i);
  }
  return owned;
}

function requestHeaders(ex) {
  return isObject(ex) && isObject(ex.request) && Array.isArray(ex.request.headers) ? ex.request.headers : [];
}

function setJsonMode(id, on) {
  jsonMode[id] = on;
  const button = document.querySelector(`[data-json-for="${id}"]`);
  button.setAttribute('aria-pressed', String(on));
  $(id).classList.toggle('json', on);
}

function setField(id, value, multiline = false) {
  const { text, json } = fieldText(value, { multiline });
  $(id).value = text;
  setJsonMode(id, json);
}

function fillRequestHeaders(ex) {
  const headers = requestHeaders(ex);
  const owned = ownedIndexes(headers);
  $('req-headers').value = headersToText(headers.filter((_, i) => !owned.has(i)));
}

/** Every field from the exchange; `skipJson`: leave the advanced editor (being typed in). */
export function fillForm(ex, { skipJson = false } = {}) {
  const headers = requestHeaders(ex);
  for (const [id, name] of Object.entries(PSEUDO_FIELDS)) {
    const i = pseudoIndex(headers, name);
    setField(id, i >= 0 ? headers[i][1] : undefined);
  }
  fillRequestHeaders(ex);
  setField('req-body', isObject(ex) && isObject(ex.request) ? ex.request.body : null, true);
  const host = isObject(ex) && typeof ex.host === 'string' ? ex.host : 'envoy';
  if (![...$('host').options].some((o) => o.value === host)) $('host').append(h('option', { value: host }, host));
  $('host').value = host;
  $('properties').value = propertiesToText(isObject(ex) ? ex.properties : null);
  const up = isObject(ex) && isObject(ex.upstream) ? ex.upstream : null;
  $('up-status').value = up && up.status !== undefined ? String(up.status) : '';
  $('up-headers').value = headersToText(up ? up.headers : []);
  $('up-properties').value = propertiesToText(up ? up.properties : null);
  for (const k of Object.keys(fieldErrors)) delete fieldErrors[k];
  for (const k of Object.keys(upstreamErrors)) delete upstreamErrors[k];
  for (const id of [...Object.keys(PSEUDO_FIELDS), 'up-status']) $(id).removeAttribute('aria-invalid');
  for (const id of ['request-errors', 'req-headers-errors', 'req-body-errors', 'properties-errors', 'up-errors']) {
    showErrors(id, []);
  }
  if (!skipJson) {
    $('exchange-json').value = JSON.stringify(ex, null, 2);
    showErrors('exchange-json-error', []);
  }
}

function showErrors(id, errors) {
  $(id).replaceChildren(...errors.map((e) => h('div', {}, e)));
  const field = { 'req-headers-errors': 'req-headers', 'req-body-errors': 'req-body', 'properties-errors': 'properties', 'exchange-json-error': 'exchange-json' }[id];
  if (field) $(field).toggleAttribute('aria-invalid', errors.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Fields → exchange

/** The exchange to edit, made whole enough for the form to write into. */
function editableExchange() {
  const { state } = ctx;
  if (!isObject(state.exchange)) state.exchange = JSON.parse(JSON.stringify(ctx.defaultExchange));
  const ex = state.exchange;
  if (!isObject(ex.request)) ex.request = { headers: [], body: null, trailers: [] };
  if (!Array.isArray(ex.request.headers)) ex.request.headers = [];
  return ex;
}

function editableUpstream() {
  const ex = editableExchange();
  if (!isObject(ex.upstream)) ex.upstream = { status: 200, headers: [], properties: {} };
  return ex.upstream;
}

/** After a field changed the exchange: the advanced editor follows, and a run is due. */
function exchangeEdited({ immediate = false } = {}) {
  ctx.state.exchangeText = null;
  $('exchange-json').value = JSON.stringify(ctx.state.exchange, null, 2);
  showErrors('exchange-json-error', []);
  ctx.onEdit({ immediate });
}

function onPseudoInput(id) {
  const name = PSEUDO_FIELDS[id];
  const r = parseField($(id).value, jsonMode[id]);
  fieldErrors[id] = r.error ? `${id}: ${r.error}` : null;
  showErrors('request-errors', Object.values(fieldErrors).filter(Boolean));
  $(id).toggleAttribute('aria-invalid', Boolean(r.error));
  if (r.error) return;
  const headers = editableExchange().request.headers;
  const i = pseudoIndex(headers, name);
  if (r.value === undefined) {
    if (i >= 0) headers.splice(i, 1);
  } else if (i >= 0) {
    headers[i] = [name, r.value];
  } else {
    const firstRegular = headers.findIndex((p) => !(Array.isArray(p) && String(p[0]).startsWith(':')));
    headers.splice(firstRegular < 0 ? headers.length : firstRegular, 0, [name, r.value]);
  }
  if (document.activeElement !== $('req-headers')) fillRequestHeaders(ctx.state.exchange);
  exchangeEdited();
}

function onHeadersInput() {
  const { pairs, errors } = textToHeaders($('req-headers').value);
  showErrors('req-headers-errors', errors.map((e) => `line ${e.line}: ${e.message} (line skipped)`));
  const request = editableExchange().request;
  const owned = ownedIndexes(request.headers);
  request.headers = request.headers.filter((_, i) => owned.has(i)).concat(pairs);
  exchangeEdited();
}

function onBodyInput() {
  const r = parseField($('req-body').value, jsonMode['req-body']);
  showErrors('req-body-errors', r.error ? [`body: ${r.error}`] : []);
  if (r.error) return;
  editableExchange().request.body = r.value === undefined ? null : r.value;
  exchangeEdited();
}

function onPropertiesInput() {
  const { properties, errors } = textToProperties($('properties').value);
  showErrors('properties-errors', errors.map((e) => `line ${e.line}: ${e.message} (line skipped)`));
  editableExchange().properties = properties;
  exchangeEdited();
}

function onHostChange() {
  editableExchange().host = $('host').value;
  exchangeEdited({ immediate: true });
}

function onUpstreamInput(id) {
  const up = editableUpstream();
  if (id === 'up-status') {
    const v = $('up-status').value.trim();
    const ok = /^\d+$/.test(v) && Number(v) >= 100 && Number(v) <= 999;
    upstreamErrors.status = ok ? null : 'status: an HTTP status code (100–999)';
    $('up-status').toggleAttribute('aria-invalid', !ok);
    if (ok) up.status = Number(v);
  } else if (id === 'up-headers') {
    const { pairs, errors } = textToHeaders($('up-headers').value);
    upstreamErrors.headers = errors.map((e) => `headers line ${e.line}: ${e.message} (line skipped)`).join('\n') || null;
    up.headers = pairs;
  } else {
    const { properties, errors } = textToProperties($('up-properties').value);
    upstreamErrors.properties = errors.map((e) => `properties line ${e.line}: ${e.message} (line skipped)`).join('\n') || null;
    up.properties = properties;
  }
  showErrors('up-errors', Object.values(upstreamErrors).filter(Boolean));
  exchangeEdited();
}

function onExchangeJsonInput() {
  const { state } = ctx;
  const text = $('exchange-json').value;
  let error = null;
  try {
    const v = JSON.parse(text);
    if (isObject(v)) {
      state.exchange = v;
      state.exchangeText = null;
      fillForm(v, { skipJson: true });
    } else {
      error = 'the exchange must be a JSON object';
    }
  } catch (e) {
    error = e.message;
  }
  if (error) state.exchangeText = text;
  showErrors('exchange-json-error', error ? [`${error} — the fields above keep the last valid exchange`] : []);
  ctx.onEdit({ immediate: false });
}

/** Switches a field between its text and JSON forms, keeping its value. */
function onJsonToggle(id) {
  const on = !jsonMode[id];
  const multiline = id === 'req-body';
  const r = parseField($(id).value, jsonMode[id]);
  const target = id === 'req-body' ? 'req-body-errors' : 'request-errors';
  if (r.error) {
    showErrors(target, [`${id}: ${r.error}`]);
    return;
  }
  if (on) {
    $(id).value = r.value === undefined ? '' : jsonLiteral(r.value);
    setJsonMode(id, true);
  } else {
    if (r.value !== undefined && (typeof r.value !== 'string' || (!multiline && hasHidden(r.value)) ||
        (multiline && fieldText(r.value, { multiline }).json))) {
      showErrors(target, [`${id}: holds bytes or hidden characters a text field would lose; it stays JSON`]);
      return;
    }
    $(id).value = r.value ?? '';
    setJsonMode(id, false);
  }
  $(id).focus();
}

function authorityHost() {
  const headers = requestHeaders(ctx.state.exchange);
  const i = pseudoIndex(headers, ':authority');
  const a = i >= 0 && typeof headers[i][1] === 'string' ? headers[i][1] : 'localhost';
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1) || a;
  return a.split(':')[0];
}

function onConnection(kind) {
  const conn = CONNECTIONS[kind];
  const ex = editableExchange();
  const props = isObject(ex.properties) ? { ...ex.properties } : {};
  for (const k of TLS_PROPERTIES) delete props[k];
  for (const [k, v] of Object.entries(conn.set)) props[k] = v === 'sni' ? authorityHost() : v;
  ex.properties = props;
  const i = pseudoIndex(ex.request.headers, ':scheme');
  if (i >= 0) ex.request.headers[i] = [':scheme', conn.scheme];
  $('properties').value = propertiesToText(props);
  showErrors('properties-errors', []);
  fillRequestHeaders(ex);
  exchangeEdited({ immediate: true });
}

// ---------------------------------------------------------------------------------------------
// Setup

/**
 * Wires the builder's fields. `state`: the page's state object (its `exchange` and
 * `exchangeText` are edited in place); `defaultExchange`: the exchange to start from when there
 * is none; `onEdit({immediate})`: called after each edit (immediate: a discrete action).
 */
export function wireBuilder({ state, defaultExchange, onEdit }) {
  ctx = { state, defaultExchange, onEdit };
  for (const id of Object.keys(PSEUDO_FIELDS)) $(id).addEventListener('input', () => onPseudoInput(id));
  $('req-headers').addEventListener('input', onHeadersInput);
  $('req-body').addEventListener('input', onBodyInput);
  $('properties').addEventListener('input', onPropertiesInput);
  $('host').addEventListener('change', onHostChange);
  for (const id of ['up-status', 'up-headers', 'up-properties']) $(id).addEventListener('input', () => onUpstreamInput(id));
  $('exchange-json').addEventListener('input', onExchangeJsonInput);
  for (const b of document.querySelectorAll('[data-json-for]')) {
    b.addEventListener('click', () => onJsonToggle(b.dataset.jsonFor));
  }
  for (const b of document.querySelectorAll('[data-connection]')) {
    b.addEventListener('click', () => onConnection(b.dataset.connection));
  }
}
