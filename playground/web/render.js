// The result pane: summary, decisions, trace timeline, response headers before and after
// hardening, the upstream's request, and the wasmtime host's answer for a scenario test.
// Everything from an outcome or a permalink is set as text, never as markup.

import { visibleParts } from './formats.js';

/** A new element: `h('li', {class: 'x', data: {policy: 'p'}}, 'text', child, [more])`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = dv;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** `value` as text, hidden characters as visible escapes; bytes as `base64:…`. */
export function showText(value) {
  const frag = document.createDocumentFragment();
  if (value !== null && typeof value === 'object') {
    if (typeof value.base64 === 'string') {
      frag.append(h('span', { class: 'esc', title: 'bytes that are not UTF-8, as base64' }, 'base64:'), value.base64);
    } else {
      frag.append(JSON.stringify(value));
    }
    return frag;
  }
  for (const part of visibleParts(value)) {
    frag.append(part.escaped ? h('span', { class: 'esc', title: 'hidden character' }, part.text) : part.text);
  }
  return frag;
}

const DECISION_LABEL = {
  allow: 'allow',
  deny: 'deny',
  redirect: 'redirect',
  shadow_deny: 'shadow deny',
  inspect_body: 'inspect body',
  harden: 'harden',
};

function decisionBadge(decision) {
  return h('span', { class: `badge decision decision-${decision || 'none'}` }, DECISION_LABEL[decision] || decision || '—');
}

function statusClass(status) {
  if (typeof status !== 'number') return 'status-none';
  if (status >= 500) return 'status-5xx';
  if (status >= 400) return 'status-4xx';
  if (status >= 300) return 'status-3xx';
  return 'status-2xx';
}

// ---------------------------------------------------------------------------------------------
// Summary

/** The summary of `outcome` (null: an error, everything empty) and the module's chain. */
export function renderSummary(outcome, policies) {
  const $ = (id) => document.getElementById(id);
  const status = $('status');
  const verdict = $('verdict');
  if (!outcome) {
    status.textContent = '';
    status.className = 'status-value status-none';
    $('reached').textContent = '';
    $('answered-by').textContent = '';
    $('details').textContent = '';
    verdict.textContent = '';
    verdict.className = 'verdict';
  } else {
    status.textContent = outcome.status ?? '';
    status.className = `status-value ${statusClass(outcome.status)}`;
    const reached = $('reached');
    reached.textContent = outcome.reached_upstream ? 'yes' : 'no';
    reached.className = outcome.reached_upstream ? 'yes' : 'no';
    $('answered-by').textContent = outcome.answered_by ?? '';
    $('details').textContent = outcome.local_details ?? '';
    const answer = (outcome.traces || []).find((t) => t.policy === outcome.answered_by &&
      t.outcome && t.outcome.status === outcome.status);
    if (outcome.answered_by) {
      const why = answer?.outcome?.reason ? ` (${answer.outcome.reason})` : '';
      const when = answer ? ` in the ${answer.phase} phase` : '';
      verdict.textContent = `Answered locally by ${outcome.answered_by}${why}${when}.`;
    } else if (outcome.reached_upstream) {
      verdict.textContent = 'Passed to the upstream; its answer went back through the policies.';
    } else {
      verdict.textContent = 'Did not reach the upstream.';
    }
    verdict.className = `verdict ${statusClass(outcome.status)}`;
  }
  const chain = $('chain');
  chain.replaceChildren();
  if (policies && policies.length) {
    chain.append('Request order: ');
    policies.forEach((p, i) => {
      if (i) chain.append(h('span', { class: 'arrow', 'aria-hidden': 'true' }, ' → '));
      chain.append(h('code', {}, p));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Decisions and trace

/** One `li` per policy and phase, in the order they ran; the policy jumps to its trace. */
export function renderDecisions(traces) {
  const ul = document.getElementById('decisions');
  ul.replaceChildren(...(traces || []).map((t, i) => {
    const o = t.outcome || {};
    return h('li', {
      class: `decision-row decision-${o.decision}`,
      data: { policy: t.policy, phase: t.phase, decision: o.decision ?? '', reason: o.reason ?? '' },
    },
    h('button', { type: 'button', class: 'policy jump', title: 'Show its trace', data: { jump: `trace-${i}` } }, t.policy),
    h('span', { class: `phase phase-${t.phase}` }, t.phase),
    decisionBadge(o.decision),
    h('span', { class: 'reason' }, o.reason ?? ''),
    h('span', { class: `status ${statusClass(o.status)}` }, o.status ?? ''),
    o.location ? h('span', { class: 'location' }, '→ ', showText(o.location)) : null);
  }));
}

/** The trace as a timeline: a block per policy and phase, a row per step. */
export function renderTrace(traces) {
  const container = document.getElementById('trace');
  container.replaceChildren(...(traces || []).map((t, i) => {
    const o = t.outcome || {};
    return h('details', {
      id: `trace-${i}`,
      class: `trace-block decision-${o.decision}`,
      open: true,
      tabindex: '-1',
      data: { policy: t.policy, phase: t.phase },
    },
    h('summary', {}, h('h4', { class: 'trace-head' },
      h('span', { class: 'policy' }, t.policy),
      h('span', { class: `phase phase-${t.phase}` }, t.phase),
      decisionBadge(o.decision),
      h('span', { class: 'reason' }, o.reason ?? ''),
      h('span', { class: 'step-count' }, `${(t.steps || []).length} steps`),
      o.status != null ? h('span', { class: `status ${statusClass(o.status)}` }, o.status) : null)),
    h('ol', { class: 'steps' }, (t.steps || []).map(renderStep)));
  }));
}

function renderStep(s) {
  const hasBefore = s.before !== undefined && s.before !== null;
  const hasAfter = s.after !== undefined && s.after !== null;
  let change = null;
  if (hasBefore || hasAfter) {
    change = h('div', { class: 'change' },
      hasBefore ? h('code', { class: 'before' }, showText(s.before)) : null,
      hasBefore && hasAfter ? h('span', { class: 'arrow', 'aria-label': 'becomes' }, '→') : null,
      hasAfter ? h('code', { class: 'after' }, showText(s.after)) : null);
  }
  return h('li', { class: `step kind-${s.kind}${s.decisive ? ' decisive' : ''}`, data: { kind: s.kind ?? '' } },
    h('span', { class: `kind kind-${s.kind}` }, (s.kind || '').replace(/_/g, ' ')),
    h('div', { class: 'step-body' },
      h('div', { class: 'title' }, showText(s.title ?? ''),
        s.decisive ? h('span', { class: 'decisive-tag' }, 'decisive') : null),
      change,
      s.rule ? h('div', { class: 'rule' }, h('span', { class: 'rule-label' }, 'rule '), showText(s.rule)) : null));
}

// ---------------------------------------------------------------------------------------------
// Response headers, before and after hardening

/**
 * Rows pairing the headers before and after by name (case-insensitive) and occurrence:
 * `[{name, before, after, change: same|added|removed|replaced}]`.
 */
export function diffHeaders(before, after) {
  const group = (list) => {
    const m = new Map();
    for (const hdr of list || []) {
      const key = String(hdr.name).toLowerCase();
      if (!m.has(key)) m.set(key, []);
      m.get(key).push(hdr);
    }
    return m;
  };
  const b = group(before);
  const a = group(after);
  const names = [...new Set([...b.keys(), ...a.keys()])];
  const rows = [];
  for (const name of names) {
    const bs = b.get(name) || [];
    const as = a.get(name) || [];
    for (let i = 0; i < Math.max(bs.length, as.length); i++) {
      const x = bs[i];
      const y = as[i];
      let change = 'same';
      if (!x) change = 'added';
      else if (!y) change = 'removed';
      else if (x.value !== y.value || x.name !== y.name) change = 'replaced';
      rows.push({ name, before: x, after: y, change });
    }
  }
  return rows;
}

const CHANGE_MARK = { added: '+', removed: '−', replaced: '~', same: '' };

function headerTable(table, caption, rows, side) {
  const body = rows.map((r) => {
    const hdr = r[side];
    if (!hdr) {
      return h('tr', { class: `gap change-${r.change}`, data: { change: r.change }, 'aria-hidden': 'true' },
        h('td', { class: 'mark' }), h('td', { class: 'name' }), h('td', { class: 'value' }));
    }
    const marked = r.change !== 'same' &&
      !(side === 'before' && r.change === 'added') && !(side === 'after' && r.change === 'removed');
    return h('tr', { class: `change-${r.change}`, data: { name: hdr.name, change: r.change } },
      h('td', { class: 'mark', title: r.change }, marked ? CHANGE_MARK[r.change] : '',
        marked ? h('span', { class: 'sr-only' }, ` ${r.change}`) : null),
      h('td', { class: 'name' }, showText(hdr.name)),
      h('td', { class: 'value' }, showText(hdr.value)));
  });
  table.replaceChildren(
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'mark' }, h('span', { class: 'sr-only' }, 'change')),
      h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', {}, body));
}

/** Gives each pair of rows of the two tables the same height, so they line up side by side. */
export function alignHeaderRows() {
  const left = document.querySelectorAll('#headers-before tbody tr');
  const right = document.querySelectorAll('#headers-after tbody tr');
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    left[i].style.height = '';
    right[i].style.height = '';
  }
  const heights = [];
  for (let i = 0; i < n; i++) heights.push(Math.max(left[i].offsetHeight, right[i].offsetHeight));
  for (let i = 0; i < n; i++) {
    left[i].style.height = `${heights[i]}px`;
    right[i].style.height = `${heights[i]}px`;
  }
}

/** Both tables, with added, removed and replaced rows marked, and a count of each. */
export function renderHeaders(before, after) {
  const rows = before || after ? diffHeaders(before, after) : [];
  headerTable(document.getElementById('headers-before'), 'Before hardening', rows, 'before');
  headerTable(document.getElementById('headers-after'), 'After hardening (sent to the client)', rows, 'after');
  const counts = { added: 0, removed: 0, replaced: 0 };
  for (const r of rows) if (r.change in counts) counts[r.change]++;
  const summary = document.getElementById('headers-summary');
  summary.replaceChildren();
  if (rows.length) {
    summary.append(
      h('span', { class: 'count change-added' }, `${counts.added} added`),
      h('span', { class: 'count change-replaced' }, `${counts.replaced} replaced`),
      h('span', { class: 'count change-removed' }, `${counts.removed} removed`));
  }
  requestAnimationFrame(alignHeaderRows);
}

// ---------------------------------------------------------------------------------------------
// The upstream's request

/** The request as the upstream received it, or a note that it did not. */
export function renderUpstreamRequest(outcome) {
  const table = document.getElementById('upstream-request');
  const note = document.getElementById('upstream-note');
  const rows = outcome && Array.isArray(outcome.upstream_request) ? outcome.upstream_request : null;
  if (!outcome) {
    note.textContent = '';
    table.hidden = true;
    table.replaceChildren();
    return;
  }
  if (!rows) {
    note.textContent = 'The request did not reach the upstream.';
    table.hidden = true;
    table.replaceChildren();
    return;
  }
  note.textContent = 'Headers in the order the upstream received them.';
  table.hidden = false;
  table.replaceChildren(
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', { class: 'name' }, showText(r.name)),
      h('td', { class: 'value' }, showText(r.value))))));
}

// ---------------------------------------------------------------------------------------------
// The wasmtime host's answer for a loaded scenario test

function answerText(a) {
  return `${a.status ?? '—'} · reached upstream: ${a.reached_upstream ? 'yes' : 'no'} · ${a.local_details ?? 'no local response'}`;
}

/**
 * `loaded`: `{ref, case, edited}` or null. Compares the page's `outcome` (null on error) with
 * what the real .wasm module answered in the wasmtime host.
 */
export function renderExpected(loaded, outcome, errorText) {
  const el = document.getElementById('expected');
  el.replaceChildren();
  if (!loaded) {
    el.hidden = true;
    el.className = 'expected';
    delete el.dataset.match;
    return;
  }
  el.hidden = false;
  const c = loaded.case;
  const w = c.wasm;
  const head = h('div', { class: 'expected-head' },
    h('span', { class: 'expected-label' }, 'Scenario test '),
    h('code', {}, loaded.ref));
  const desc = c.desc ? h('p', { class: 'expected-desc' }, c.desc) : null;
  if (!w) {
    el.className = 'expected expected-unknown';
    el.dataset.match = 'unknown';
    el.append(head, desc, h('p', {}, 'No wasmtime answer was recorded for this test.'));
    return;
  }
  const host = h('p', { class: 'expected-answer' }, h('strong', {}, 'wasmtime host answered: '), answerText(w));
  if (loaded.edited) {
    el.className = 'expected expected-edited';
    el.dataset.match = 'edited';
    el.append(head, desc, host,
      h('p', { class: 'expected-verdict' }, 'Inputs edited since the test was loaded: not compared.'));
    return;
  }
  const diffs = [];
  if (!outcome) {
    diffs.push(`the page gave an error: ${errorText}`);
  } else {
    if (outcome.status !== w.status) diffs.push(`status ${outcome.status} here, ${w.status} in wasmtime`);
    if (Boolean(outcome.reached_upstream) !== Boolean(w.reached_upstream)) {
      diffs.push(`reached upstream: ${outcome.reached_upstream ? 'yes' : 'no'} here, ${w.reached_upstream ? 'yes' : 'no'} in wasmtime`);
    }
    if ((outcome.local_details ?? null) !== (w.local_details ?? null)) {
      diffs.push(`details ${outcome.local_details ?? 'none'} here, ${w.local_details ?? 'none'} in wasmtime`);
    }
  }
  if (diffs.length) {
    el.className = 'expected expected-differs';
    el.dataset.match = 'no';
    el.setAttribute('role', 'alert');
    el.append(head, desc, host, h('p', { class: 'expected-verdict' },
      h('strong', {}, 'DIFFERENT from this page: '), diffs.join('; '), '.'));
  } else {
    el.className = 'expected expected-same';
    el.dataset.match = 'yes';
    el.removeAttribute('role');
    el.append(head, desc, host, h('p', { class: 'expected-verdict' }, '✓ Same status, upstream and details as this page.'));
  }
}
