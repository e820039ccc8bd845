// The request builder's text formats, each lossless for the exchange JSON it edits.
//
// Header lines (request and upstream headers):
//   name: value          the value as typed (one space after the colon is dropped, the rest kept)
//   name:= "a\r\nb"      a JSON value: a string with escapes, or {"base64": "..."} for bytes that
//                        are not UTF-8
//   ["name", "value"]    a JSON pair, for a name the plain form cannot hold
// Property lines:
//   path = value         `true`/`false` are bools, integers are integers, a value starting with
//                        `"`, `{` or `[` is JSON, anything else is text
// Single fields (method, target, authority, body) hold the text as is, or, in JSON mode, a JSON
// string or {"base64": "..."}.
//
// Values that would be invisible or lost in a text field (control characters, bidi and
// zero-width characters, non-UTF-8 bytes) are always shown as JSON, with every such character
// escaped, so an attack's bytes stay visible and survive a round trip.

/** Characters a text field would hide or drop. */
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/;
/** The same characters outside ASCII's C0 set, which JSON.stringify leaves as they are. */
const HIDDEN_UNESCAPED = /[\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g;
/** In a body textarea, LF and TAB are visible; CR is not kept by a textarea. */
const HIDDEN_IN_BODY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/;

const hex4 = (c) => c.charCodeAt(0).toString(16).padStart(4, '0');

/** `value` as JSON, with every hidden character escaped. */
export function jsonLiteral(value) {
  return JSON.stringify(value).replace(HIDDEN_UNESCAPED, (c) => `\\u${hex4(c)}`);
}

/** Whether `s` holds a character a text field would hide or drop. */
export function hasHidden(s) {
  return HIDDEN.test(s);
}

/** Whether `v` is a byte value of the exchange: a string or {"base64": "..."}. */
export function isBytes(v) {
  return typeof v === 'string' || isBase64(v);
}

function isBase64(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) &&
    Object.keys(v).length === 1 && typeof v.base64 === 'string';
}

// ---------------------------------------------------------------------------------------------
// Single fields

/**
 * How a single-line field shows `value`: `{text, json}`. An absent value is an empty field; an
 * empty string, a value with hidden characters or bytes are JSON.
 */
export function fieldText(value, { multiline = false } = {}) {
  if (value === undefined || value === null) return { text: '', json: false };
  if (typeof value === 'string') {
    const hidden = multiline ? HIDDEN_IN_BODY.test(value) : HIDDEN.test(value);
    if (!hidden && (multiline || value !== '')) return { text: value, json: false };
  }
  return { text: jsonLiteral(value), json: true };
}

/**
 * A field's text back to a value: `{value}` (undefined: absent) or `{error}`. In text mode an
 * empty field is absent; in JSON mode the text must be a JSON string or {"base64": "..."}.
 */
export function parseField(text, json) {
  if (!json) return { value: text === '' ? undefined : text };
  if (text.trim() === '') return { value: undefined };
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${e.message}` };
  }
  if (!isBytes(v)) return { error: 'expected a JSON string or {"base64": "..."}' };
  return { value: v };
}

// ---------------------------------------------------------------------------------------------
// Header lines

/** A name the `name: value` form holds: no whitespace, no colon after the first character. */
function plainName(name) {
  return typeof name === 'string' && /^:?[^\s:]+$/.test(name) && !name.startsWith('[') &&
    !HIDDEN.test(name);
}

/** `[[name, value], ...]` as header lines. */
export function headersToText(pairs) {
  if (!Array.isArray(pairs)) return '';
  return pairs.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !plainName(pair[0])) return jsonLiteral(pair);
    const [name, value] = pair;
    if (typeof value === 'string' && !HIDDEN.test(value)) return `${name}: ${value}`;
    return `${name}:= ${jsonLiteral(value)}`;
  }).join('\n');
}

/** Header lines back to pairs: `{pairs, errors: [{line, message}]}`; blank lines are skipped. */
export function textToHeaders(text) {
  const pairs = [];
  const errors = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const n = i + 1;
    if (line.startsWith('[')) {
      try {
        const pair = JSON.parse(line);
        if (Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && isBytes(pair[1])) {
          pairs.push(pair);
        } else {
          errors.push({ line: n, message: 'expected ["name", value]' });
        }
      } catch (e) {
        errors.push({ line: n, message: `not JSON: ${e.message}` });
      }
      return;
    }
    const colon = line.indexOf(':', 1);
    if (colon < 0) {
      errors.push({ line: n, message: 'expected name: value' });
      return;
    }
    const name = line.slice(0, colon);
    const rest = line.slice(colon + 1);
    if (rest.startsWith('=')) {
      const json = parseJsonBytes(rest.slice(1).trim());
      if (json !== undefined) {
        pairs.push([name, json]);
        return;
      }
      // Not JSON: a plain value that starts with "=".
    }
    pairs.push([name, rest.startsWith(' ') ? rest.slice(1) : rest]);
  });
  return { pairs, errors };
}

function parseJsonBytes(text) {
  if (!text.startsWith('"') && !text.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(text);
    return isBytes(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Property lines

const INTEGER = /^-?\d+$/;

function propertyValueText(v) {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  if (typeof v === 'string') {
    const ambiguous = v === '' || v !== v.trim() || v === 'true' || v === 'false' ||
      INTEGER.test(v) || /^["{[]/.test(v) || HIDDEN.test(v);
    return ambiguous ? jsonLiteral(v) : v;
  }
  return jsonLiteral(v);
}

/** `{path: value}` as property lines. */
export function propertiesToText(props) {
  if (props === null || typeof props !== 'object') return '';
  return Object.entries(props).map(([k, v]) => `${k} = ${propertyValueText(v)}`).join('\n');
}

/** Property lines back to an object: `{properties, errors: [{line, message}]}`. */
export function textToProperties(text) {
  const properties = {};
  const errors = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const n = i + 1;
    const eq = line.indexOf('=');
    if (eq < 0) {
      errors.push({ line: n, message: 'expected path = value' });
      return;
    }
    const key = line.slice(0, eq).trim();
    const raw = line.slice(eq + 1).trim();
    if (key === '') {
      errors.push({ line: n, message: 'missing property path' });
      return;
    }
    if (raw === 'true' || raw === 'false') {
      properties[key] = raw === 'true';
    } else if (INTEGER.test(raw) && Number.isSafeInteger(Number(raw))) {
      properties[key] = Number(raw);
    } else if (/^["{[]/.test(raw)) {
      try {
        properties[key] = JSON.parse(raw);
      } catch (e) {
        errors.push({ line: n, message: `not JSON: ${e.message}` });
      }
    } else {
      properties[key] = raw;
    }
  });
  return { properties, errors };
}

/** Text for display, with hidden characters shown as `\uXXXX` escapes: `[{text, escaped}]`. */
export function visibleParts(s) {
  const parts = [];
  let plain = '';
  for (const c of String(s)) {
    if (HIDDEN.test(c)) {
      if (plain) parts.push({ text: plain, escaped: false });
      plain = '';
      const code = c.charCodeAt(0);
      parts.push({ text: code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${hex4(c)}`, escaped: true });
    } else {
      plain += c;
    }
  }
  if (plain) parts.push({ text: plain, escaped: false });
  return parts;
}
