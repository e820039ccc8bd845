// Permalinks: the page's state in the URL fragment.
//
//   #z=<base64url of the deflate-raw compressed UTF-8 JSON>   (written when CompressionStream
//                                                              supports deflate-raw)
//   #s=<base64url of the plain UTF-8 JSON>                    (always accepted; written otherwise)
//
// The state is {"module": "...", "config": "<text>", "exchange": {...}}, with "scenario":
// "<file>#<id>" when a scenario test is loaded and unchanged.

const utf8 = new TextEncoder();

function supports(kind) {
  try {
    return typeof kind === 'function' && Boolean(new kind('deflate-raw'));
  } catch {
    return false;
  }
}

const canCompress = supports(globalThis.CompressionStream);
const canDecompress = supports(globalThis.DecompressionStream);

/** `bytes` as base64url, without padding. */
export function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url or base64, padded or not, to bytes. */
export function fromBase64Url(text) {
  const b64 = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

async function pipe(bytes, transform) {
  const writer = transform.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  return new Uint8Array(await new Response(transform.readable).arrayBuffer());
}

/** The fragment (`#z=...`, or `#s=...` without CompressionStream) for `state`. */
export async function encodeState(state) {
  const bytes = utf8.encode(JSON.stringify(state));
  if (canCompress) {
    return `#z=${toBase64Url(await pipe(bytes, new CompressionStream('deflate-raw')))}`;
  }
  return `#s=${toBase64Url(bytes)}`;
}

/** Whether `hash` is a permalink fragment. */
export function isStateHash(hash) {
  return /^#?[zs]=/.test(hash);
}

/**
 * The state in a `#z=` or `#s=` fragment; throws an Error saying what is wrong with it.
 * Returns null for any other fragment.
 */
export async function decodeState(hash) {
  const m = /^#?([zs])=(.*)$/s.exec(hash);
  if (!m) return null;
  const [, kind, payload] = m;
  let bytes;
  try {
    bytes = fromBase64Url(decodeURIComponent(payload));
  } catch {
    throw new Error(`the #${kind}= link is not valid base64url`);
  }
  if (kind === 'z') {
    if (!canDecompress) throw new Error('this browser cannot decompress #z= links (no DecompressionStream)');
    try {
      bytes = await pipe(bytes, new DecompressionStream('deflate-raw'));
    } catch {
      throw new Error('the #z= link is not valid deflate-raw data');
    }
  }
  let state;
  try {
    state = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new Error(`the #${kind}= link does not hold JSON: ${e.message}`);
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new Error(`the #${kind}= link does not hold a state object`);
  }
  return state;
}
