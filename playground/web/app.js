// The policy playground: a configuration and an exchange in, the module's outcome out, through
// the policies crate compiled to WebAssembly (playground.js, from wasm-bindgen).
//
// State: the module, the configuration text and the exchange (an object; the advanced editor's
// text while it does not parse). The request builder (builder.js) edits the exchange; this
// module holds the state, the configuration editor, the runs, scenario tests and permalinks.

import init, { presets as wasmPresets, compile } from './playground.js';
import { fillForm, wireBuilder } from './builder.js';
import { encodeState, decodeState, isStateHash } from './permalink.js';
import {
  h, renderSummary, renderDecisions, renderTrace, renderHeaders, renderUpstreamRequest,
  renderExpected, alignHeaderRows,
} from './render.js';

const $ = (id) => document.getElementById(id);

const DEBOUNCE_MS = 150;
const MODULE_ORDER = ['gateway-hardening', 'context-allowlist', 'tls-guard', 'header-hardening'];
const PRODUCTS = {
  'wso2-is': 'WSO2 Identity Server',
  'wso2-apim': 'WSO2 API Manager',
  'wso2-mi': 'WSO2 Micro Integrator',
};
const DEFAULT_PRESET = { module: 'gateway-hardening', product: 'wso2-is' };

/** The first exchange: a token request over TLS 1.3 that the IS presets let through. */
const DEFAULT_EXCHANGE = {
  request: {
    headers: [
      [':method', 'GET'],
      [':path', '/oauth2/token'],
      [':authority', 'localhost'],
      [':scheme', 'https'],
      ['user-agent', 'curl/8.5.0'],
      ['accept', '*/*'],
    ],
    body: null,
    trailers: [],
  },
  host: 'envoy',
  properties: {
    'source.address': '203.0.113.7:40000',
    'destination.address': '10.0.0.5:8443',
    'connection.tls_version': 'TLSv1.3',
    'connection.mtls': false,
    'connection.requested_server_name': 'localhost',
    'filter_state.gateway_hardening.tls_cipher': 'TLS_AES_128_GCM_SHA256',
  },
  upstream: {
    status: 200,
    headers: [
      ['content-type', 'application/json'],
      ['server', 'WSO2 Carbon Server'],
      ['x-powered-by', 'Servlet/4.0'],
      ['set-cookie', 'JSESSIONID=8C1F0A; Path=/'],
    ],
    properties: {
      'upstream.address': '10.0.1.20:9443',
      'upstream.tls_version': 'TLSv1.3',
      'upstream.subject_peer_certificate': 'CN=is.internal,O=Example',
      'xds.cluster_name': 'wso2_is',
    },
  },
};

// ---------------------------------------------------------------------------------------------
// State

const state = {
  module: '',
  config: '',
  /** The exchange, as an object. */
  exchange: null,
  /** The advanced editor's text while it does not parse as an object (it runs as is). */
  exchangeText: null,
  /** The scenario test loaded: `{ref, case}`. */
  loaded: null,
};

let presetList = [];
let scenarios = [];
const scenarioByRef = new Map();
let scenarioByFingerprint = null;

let compiled = null;
let compiledKey = null;
let compileError = null;
let policies = [];

let runTimer = null;
let runSeq = 0;
let runs = 0;
let lastProduct = DEFAULT_PRESET.product;

const clone = (v) => JSON.parse(JSON.stringify(v));
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const scenarioRef = (c) => `${c.file}#${c.id}`;
const fingerprintOf = (module, config, exchangeText) => `${module}\u0000${config}\u0000${exchangeText}`;

function currentFingerprint() {
  return fingerprintOf(state.module, state.config, state.exchangeText ?? JSON.stringify(state.exchange));
}

function scenarioFingerprint(c) {
  return fingerprintOf(c.module, c.config, JSON.stringify(c.exchange));
}

// ---------------------------------------------------------------------------------------------
// Running

/** The wasm's error (JSON text `{message, path, line, column}`, or a trap) as an object. */
function pageError(e) {
  if (typeof e === 'string') {
    try {
      const o = JSON.parse(e);
      if (isObject(o) && typeof o.message === 'string') return o;
    } catch { /* not JSON: the text is the message */ }
    return { message: e };
  }
  return { message: e && e.message ? e.message : String(e), trap: true };
}

/** Compiles (when the module or configuration changed) and runs the exchange. */
function execute() {
  const key = `${state.module}\u0000${state.config}`;
  if (key !== compiledKey) {
    if (compiled) compiled.free();
    compiled = null;
    compileError = null;
    policies = [];
    compiledKey = key;
    try {
      compiled = compile(state.module, state.config);
      policies = JSON.parse(compiled.policies());
    } catch (e) {
      compileError = pageError(e);
      compiled = null;
    }
  }
  if (compileError) return { configError: compileError };
  const text = state.exchangeText ?? JSON.stringify(state.exchange);
  try {
    return { outcome: JSON.parse(compiled.run(text)), policies };
  } catch (e) {
    const error = pageError(e);
    if (error.trap) {
      // A trap leaves the instance's module unusable: compile afresh next time.
      compiled = null;
      compiledKey = null;
    }
    return { runError: error, policies };
  }
}

function scheduleRun() {
  clearTimeout(runTimer);
  runTimer = setTimeout(() => runNow(''), DEBOUNCE_MS);
}

/**
 * Runs now and renders; `fromHash` is the fragment that produced this state ("" for edits).
 * `body.dataset.rendered` and `runs` are set last, once the result and the permalink are in.
 */
async function runNow(fromHash = '') {
  clearTimeout(runTimer);
  runTimer = null;
  const seq = ++runSeq;
  const started = performance.now();
  const result = execute();
  const elapsed = performance.now() - started;
  renderResult(result, elapsed);
  let link = null;
  try {
    link = await encodeState(permalinkState());
  } catch {
    link = null;
  }
  if (seq !== runSeq) return;
  if (link) $('permalink').setAttribute('href', link);
  runs += 1;
  document.body.dataset.runs = String(runs);
  document.body.dataset.rendered = fromHash;
}

function permalinkState() {
  const s = { module: state.module, config: state.config, exchange: state.exchange };
  if (state.loaded && scenarioFingerprint(state.loaded.case) === currentFingerprint()) {
    s.scenario = state.loaded.ref;
  }
  return s;
}

function renderResult(result, elapsed) {
  renderConfigError(result.configError ?? null);
  const runError = $('run-error');
  let errorText = '';
  if (result.configError) {
    errorText = `Configuration refused: ${result.configError.message}`;
  } else if (result.runError) {
    const e = result.runError;
    const from = state.exchangeText !== null ? ' (in the exchange JSON)' : '';
    const trap = e.trap ? ' (the WebAssembly module trapped: reload the page if later runs fail)' : '';
    errorText = `The exchange could not run${from}: ${e.message}${trap}`;
  }
  runError.textContent = errorText;
  const outcome = result.outcome ?? null;
  $('results').dataset.state = outcome ? 'ok' : 'error';
  $('result-details').hidden = !outcome;
  renderSummary(outcome, result.configError ? [] : result.policies);
  renderDecisions(outcome ? outcome.traces : []);
  renderTrace(outcome ? outcome.traces : []);
  renderHeaders(outcome ? outcome.response_before : null, outcome ? outcome.response_after : null);
  renderUpstreamRequest(outcome);
  const loaded = state.loaded
    ? { ...state.loaded, edited: scenarioFingerprint(state.loaded.case) !== currentFingerprint() }
    : null;
  renderExpected(loaded, outcome, errorText);
  markLoadedScenario();
  $('timing').textContent = outcome ? `ran in ${elapsed < 1 ? '<1' : elapsed.toFixed(1)} ms` : '';
}

// ---------------------------------------------------------------------------------------------
// Configuration editor

let gutterLines = 0;
let errorLine = null;

function lineHeight() {
  return parseFloat(getComputedStyle($('config')).lineHeight) || 20;
}

function updateGutter() {
  const gutter = $('config-gutter');
  const n = $('config').value.split('\n').length;
  while (gutterLines < n) {
    gutterLines += 1;
    gutter.append(h('div', { class: 'ln', data: { line: String(gutterLines) } }, String(gutterLines)));
  }
  while (gutterLines > n) {
    gutter.lastChild.remove();
    gutterLines -= 1;
  }
  for (const el of gutter.querySelectorAll('.ln.error')) el.classList.remove('error');
  if (errorLine) gutter.querySelector(`.ln[data-line="${errorLine}"]`)?.classList.add('error');
  syncEditorScroll();
}

function syncEditorScroll() {
  const ta = $('config');
  $('config-gutter').scrollTop = ta.scrollTop;
  const mark = $('config-line-mark');
  if (errorLine && errorLine <= gutterLines) {
    const pad = parseFloat(getComputedStyle(ta).paddingTop) || 0;
    mark.hidden = false;
    mark.style.top = `${pad + (errorLine - 1) * lineHeight() - ta.scrollTop}px`;
    mark.style.height = `${lineHeight()}px`;
  } else {
    mark.hidden = true;
  }
}

/**
 * The error's line and column; when the wasm gives none (the combined module's JSON syntax
 * errors), the position serde_json puts in the message.
 */
function errorPosition(err) {
  if (Number.isInteger(err.line)) return { line: err.line, column: Number.isInteger(err.column) ? err.column : null };
  const m = /\bline (\d+),? column (\d+)/.exec(err.message || '');
  return m ? { line: Number(m[1]), column: Number(m[2]) } : { line: null, column: null };
}

function renderConfigError(err) {
  const el = $('config-error');
  const position = err ? errorPosition(err) : { line: null, column: null };
  errorLine = position.line;
  if (!err) {
    el.replaceChildren();
    el.removeAttribute('data-line');
  } else {
    const where = [];
    if (errorLine) where.push(` at line ${errorLine}${position.column !== null ? `, column ${position.column}` : ''}`);
    const head = h('div', { class: 'config-error-head' },
      h('strong', {}, 'Configuration refused'), where.join(''),
      err.path && err.path !== '.' ? h('span', { class: 'nowrap' }, ' · field ', h('code', {}, err.path)) : null,
      errorLine ? h('button', { type: 'button', class: 'button small', id: 'goto-error' }, `Go to line ${errorLine}`) : null);
    el.replaceChildren(head, h('p', { class: 'config-error-message' }, err.message));
    if (errorLine) el.dataset.line = String(errorLine);
    else el.removeAttribute('data-line');
    $('goto-error')?.addEventListener('click', () => gotoLine(errorLine));
  }
  updateGutter();
}

function gotoLine(n) {
  const ta = $('config');
  const lines = ta.value.split('\n');
  let start = 0;
  for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
  const end = start + (lines[n - 1] ?? '').length;
  ta.focus();
  ta.setSelectionRange(start, end);
  ta.scrollTop = Math.max(0, (n - 1) * lineHeight() - ta.clientHeight / 2);
  syncEditorScroll();
}

function findPreset(module, product) {
  return presetList.find((p) => p.module === module && p.product === product);
}

/** Shows the preset the configuration is, or "custom". */
function syncPresetSelect() {
  const p = presetList.find((x) => x.module === state.module && x.config === state.config);
  $('preset').value = p ? `${p.module}/${p.product}` : '';
}

function setModuleSelect(module) {
  const select = $('module');
  if (![...select.options].some((o) => o.value === module)) {
    select.append(h('option', { value: module }, `${module} (unknown)`));
  }
  select.value = module;
}

function onPresetChange() {
  const [module, product] = $('preset').value.split('/');
  const p = findPreset(module, product);
  if (!p) return;
  lastProduct = product;
  state.module = p.module;
  state.config = p.config;
  setModuleSelect(p.module);
  $('config').value = p.config;
  $('config').scrollTop = 0;
  syncPresetSelect();
  updateGutter();
  runNow('');
}

function onModuleChange() {
  const next = $('module').value;
  const current = presetList.find((x) => x.module === state.module && x.config === state.config);
  state.module = next;
  if (current || state.config.trim() === '') {
    const product = current ? current.product : lastProduct;
    const p = findPreset(next, product) || presetList.find((x) => x.module === next);
    if (p) {
      state.config = p.config;
      $('config').value = p.config;
      lastProduct = p.product;
    }
  }
  syncPresetSelect();
  updateGutter();
  runNow('');
}

function onConfigInput() {
  state.config = $('config').value;
  syncPresetSelect();
  updateGutter();
  scheduleRun();
}

// ---------------------------------------------------------------------------------------------
// Loading states: presets, scenario tests, permalinks

/** Puts every input in line with the state. */
function syncInputs() {
  setModuleSelect(state.module);
  $('config').value = state.config;
  $('config').scrollTop = 0;
  syncPresetSelect();
  updateGutter();
  if (state.exchangeText !== null) {
    $('exchange-json').value = state.exchangeText;
    fillForm(state.exchange, { skipJson: true });
  } else {
    fillForm(state.exchange);
  }
  $('scenario').value = state.loaded ? state.loaded.ref : '';
}

function loadScenario(ref) {
  const c = scenarioByRef.get(ref);
  if (!c) return;
  state.module = c.module;
  state.config = c.config;
  state.exchange = clone(c.exchange);
  state.exchangeText = null;
  state.loaded = { ref, case: c };
  syncInputs();
  if (c.file.includes('/bypass/')) showFamily(c.family, { load: false });
  runNow('');
}

/** Applies a permalink's state: `{module, config, exchange, scenario?}`. */
function applyState(s) {
  if (typeof s.module === 'string') state.module = s.module;
  if (typeof s.config === 'string') state.config = s.config;
  else if (s.config !== undefined) state.config = JSON.stringify(s.config, null, 2);
  state.exchangeText = null;
  if (isObject(s.exchange)) {
    state.exchange = s.exchange;
  } else if (typeof s.exchange === 'string') {
    try {
      const v = JSON.parse(s.exchange);
      if (isObject(v)) state.exchange = v;
      else state.exchangeText = s.exchange;
    } catch {
      state.exchangeText = s.exchange;
    }
  } else if (s.exchange === undefined) {
    state.exchange = clone(DEFAULT_EXCHANGE);
  } else {
    state.exchangeText = JSON.stringify(s.exchange);
  }
  if (!isObject(state.exchange)) state.exchange = clone(DEFAULT_EXCHANGE);
  const c = typeof s.scenario === 'string' ? scenarioByRef.get(s.scenario) : findScenarioByState();
  state.loaded = c ? { ref: scenarioRef(c), case: c } : null;
  syncInputs();
  if (c && c.file.includes('/bypass/')) showFamily(c.family, { load: false });
}

function findScenarioByState() {
  if (!scenarioByFingerprint) {
    scenarioByFingerprint = new Map(scenarios.map((c) => [scenarioFingerprint(c), c]));
  }
  return scenarioByFingerprint.get(currentFingerprint()) || null;
}

function showNotice(text) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
}

async function loadHash(hash) {
  if (!isStateHash(hash)) return false;
  try {
    const s = await decodeState(hash);
    const same = s.module === state.module && s.config === state.config && state.exchangeText === null &&
      JSON.stringify(s.exchange) === JSON.stringify(state.exchange);
    if (!same) applyState(s);
    showNotice('');
  } catch (e) {
    showNotice(`Could not load the link: ${e.message}`);
  }
  await runNow(hash);
  return true;
}

function applyDefault() {
  const p = findPreset(DEFAULT_PRESET.module, DEFAULT_PRESET.product) || presetList[0];
  state.module = p ? p.module : DEFAULT_PRESET.module;
  state.config = p ? p.config : '{}';
  state.exchange = clone(DEFAULT_EXCHANGE);
  state.exchangeText = null;
  state.loaded = null;
  syncInputs();
}

// ---------------------------------------------------------------------------------------------
// Scenario tests and attack families

async function loadScenarios() {
  try {
    const res = await fetch('scenarios.json', { cache: 'no-cache' });
    if (!res.ok) return [];
    const data = await res.json();
    return Array.isArray(data.cases) ? data.cases.filter((c) => isObject(c) && c.file && c.id) : [];
  } catch {
    return [];
  }
}

function familyLabel(family) {
  return family.split('/').pop();
}

function buildScenarioPickers() {
  if (!scenarios.length) return;
  $('attacks').hidden = false;
  for (const c of scenarios) scenarioByRef.set(scenarioRef(c), c);

  // Every test, grouped by file.
  const select = $('scenario');
  const groups = new Map();
  for (const c of scenarios) {
    if (!groups.has(c.file)) groups.set(c.file, []);
    groups.get(c.file).push(c);
  }
  select.replaceChildren(h('option', { value: '' }, `— ${scenarios.length} tests from ${groups.size} files —`));
  for (const [file, cases] of groups) {
    select.append(h('optgroup', { label: file }, cases.map((c) => {
      const text = c.desc ? `${c.id} — ${c.desc}` : c.id;
      return h('option', { value: scenarioRef(c), title: text }, text.length > 110 ? `${text.slice(0, 107)}…` : text);
    })));
  }

  // One button per bypass family, grouped by what precedes /bypass/.
  const families = new Map();
  for (const c of scenarios) {
    if (!c.file.includes('/bypass/')) continue;
    const family = c.family || c.file.replace(/\.ya?ml$/, '');
    families.set(family, (families.get(family) || 0) + 1);
  }
  const byOwner = new Map();
  const natural = new Intl.Collator('en', { numeric: true }).compare;
  for (const family of [...families.keys()].sort(natural)) {
    const owner = family.split('/bypass/')[0];
    if (!byOwner.has(owner)) byOwner.set(owner, []);
    byOwner.get(owner).push(family);
  }
  const container = $('families');
  container.replaceChildren();
  for (const [owner, list] of byOwner) {
    container.append(h('span', { class: 'family-owner' }, owner),
      ...list.map((family) => h('button', {
        type: 'button', class: 'family', 'aria-pressed': 'false', title: family, data: { family },
      }, familyLabel(family), h('span', { class: 'count', 'aria-label': `${families.get(family)} tests` }, families.get(family)))));
  }
  if (!families.size) container.append(h('span', { class: 'hint' }, 'No bypass families in scenarios.json.'));
}

function familyCases(family) {
  return scenarios.filter((c) => (c.family || c.file.replace(/\.ya?ml$/, '')) === family);
}

let shownFamily = null;

/** Shows a family's tests; `load`: load its first test too. */
function showFamily(family, { load = true } = {}) {
  if (family === shownFamily && !load) {
    markLoadedScenario();
    return;
  }
  shownFamily = family;
  const cases = familyCases(family);
  for (const b of document.querySelectorAll('button.family')) {
    b.setAttribute('aria-pressed', String(b.dataset.family === family));
  }
  $('family-tests').hidden = false;
  $('family-title').textContent = `${family} · ${cases.length} test${cases.length === 1 ? '' : 's'}`;
  $('family-list').replaceChildren(...cases.map((c) => {
    const w = c.wasm || {};
    return h('li', {}, h('button', { type: 'button', class: 'scenario-item', data: { scenario: scenarioRef(c) } },
      h('span', { class: 'scenario-id' }, c.id),
      h('span', { class: 'scenario-desc' }, c.desc || ''),
      h('span', { class: 'scenario-expect', title: 'what the wasmtime host answered' }, w.status ?? '')));
  }));
  if (load && cases.length) loadScenario(scenarioRef(cases[0]));
  else markLoadedScenario();
}

function markLoadedScenario() {
  const ref = state.loaded ? state.loaded.ref : null;
  for (const b of document.querySelectorAll('.scenario-item')) {
    if (b.dataset.scenario === ref) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  }
  if ($('scenario').value !== (ref || '')) $('scenario').value = ref || '';
}

// ---------------------------------------------------------------------------------------------
// Copy link

async function copyLink() {
  const url = $('permalink').href;
  const status = $('copy-status');
  try {
    await navigator.clipboard.writeText(url);
    status.textContent = 'Link copied';
  } catch {
    const ta = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
    ta.value = url;
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand && document.execCommand('copy');
    ta.remove();
    status.textContent = ok ? 'Link copied' : 'Copy failed: use the Permalink link';
  }
  setTimeout(() => { status.textContent = ''; }, 2500);
}

// ---------------------------------------------------------------------------------------------
// Setup

function buildConfigSelects() {
  const modules = [...new Set([...MODULE_ORDER.filter((m) => presetList.some((p) => p.module === m)),
    ...presetList.map((p) => p.module)])];
  $('module').replaceChildren(...modules.map((m) => h('option', { value: m }, m)));
  const preset = $('preset');
  preset.replaceChildren(h('option', { value: '' }, 'Custom configuration'));
  for (const m of modules) {
    const list = presetList.filter((p) => p.module === m)
      .sort((a, b) => Object.keys(PRODUCTS).indexOf(a.product) - Object.keys(PRODUCTS).indexOf(b.product));
    preset.append(h('optgroup', { label: m }, list.map((p) => h('option', { value: `${p.module}/${p.product}` },
      `${m} · ${PRODUCTS[p.product] || p.product}`))));
  }
}

function wireEvents() {
  $('module').addEventListener('change', onModuleChange);
  $('preset').addEventListener('change', onPresetChange);
  $('config').addEventListener('input', onConfigInput);
  $('config').addEventListener('scroll', syncEditorScroll);
  new ResizeObserver(syncEditorScroll).observe($('config'));

  wireBuilder({
    state,
    defaultExchange: DEFAULT_EXCHANGE,
    onEdit: ({ immediate }) => (immediate ? runNow('') : scheduleRun()),
  });

  $('families').addEventListener('click', (e) => {
    const b = e.target.closest('button.family');
    if (b) showFamily(b.dataset.family);
  });
  $('family-list').addEventListener('click', (e) => {
    const b = e.target.closest('button.scenario-item');
    if (b) loadScenario(b.dataset.scenario);
  });
  $('scenario').addEventListener('change', () => {
    const ref = $('scenario').value;
    if (ref) loadScenario(ref);
  });

  $('copy-link').addEventListener('click', copyLink);
  // Section jumps scroll without touching the fragment, which holds permalinks.
  document.addEventListener('click', (e) => {
    const b = e.target.closest('[data-jump]');
    if (!b) return;
    const target = $(b.dataset.jump);
    if (!target) return;
    if (target.tagName === 'DETAILS') target.open = true;
    target.scrollIntoView({ block: 'start' });
    target.focus({ preventScroll: true });
  });
  window.addEventListener('hashchange', () => loadHash(location.hash));

  let alignFrame = 0;
  new ResizeObserver(() => {
    cancelAnimationFrame(alignFrame);
    alignFrame = requestAnimationFrame(alignHeaderRows);
  }).observe($('headers-diff'));
}

async function main() {
  try {
    await init();
    presetList = JSON.parse(wasmPresets());
  } catch (e) {
    showNotice(`The policies could not be loaded (playground.js, playground_bg.wasm): ${e.message || e}`);
    return;
  }
  buildConfigSelects();
  scenarios = await loadScenarios();
  buildScenarioPickers();
  wireEvents();
  applyDefault();
  if (!(await loadHash(location.hash))) await runNow('');
  document.body.dataset.ready = '1';
}

main();
