// API access for the dashboard: the bearer token (sessionStorage, or `#token=` from a link) and a JSON GET that
// turns every failure into an ApiError carrying the HTTP status and the API's own `{error, message}`.

const TOKEN_KEY = 'accessproof.token';

/** An API failure as the page shows it. status 0 = the request never got an HTTP answer. */
export class ApiError extends Error {
  constructor(status, code, message, path) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.path = path;
  }

  /** One line for the page, e.g. "GET /v1/metrics → 400 bad_request: from: expected YYYY-MM-DD". */
  describe() {
    let shown = this.path;
    try {
      shown = decodeURIComponent(this.path);
    } catch {
      // keep the encoded form
    }
    const where = `GET ${shown}`;
    if (this.status === 0) return `${where} failed: ${this.message}`;
    return `${where} → ${this.status} ${this.code}: ${this.message}`;
  }
}

/**
 * Takes a token from `#token=…` (then removes it from the address bar and history, so it is not bookmarked or
 * shared by accident) or from sessionStorage. Returns '' when there is none.
 */
export function initialToken() {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  const fromHash = hash.get('token');
  if (fromHash) {
    saveToken(fromHash);
    hash.delete('token');
    const rest = hash.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`);
    return fromHash.trim();
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
}

/** Stores the token for this tab only. */
export function saveToken(token) {
  window.sessionStorage.setItem(TOKEN_KEY, token.trim());
}

/** Forgets the token (sign-out, or after the API rejected it). */
export function clearToken() {
  window.sessionStorage.removeItem(TOKEN_KEY);
}

/** Builds `path?query` from an object, skipping empty values. */
export function withQuery(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** GET a JSON document from the API with the stored token. Rejects with ApiError on any failure. */
export async function getJson(path, params) {
  const url = withQuery(path, params);
  const token = window.sessionStorage.getItem(TOKEN_KEY) ?? '';
  let response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', authorization: `Bearer ${token}` } });
  } catch (e) {
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e), url);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, 'invalid_response', `not JSON (${text.slice(0, 80)})`, url);
  }
  if (!response.ok) {
    const code = body && typeof body.error === 'string' ? body.error : `http_${response.status}`;
    const message = body && typeof body.message === 'string' ? body.message : response.statusText;
    throw new ApiError(response.status, code, message, url);
  }
  return body;
}

/** The rows of a list response (`{findings: [...]}`, `{sessions: [...]}`, ...); an unexpected shape is an error, not "no rows". */
export function listOf(body, key) {
  if (body && Array.isArray(body[key])) return body[key];
  throw new ApiError(200, 'unexpected_response', `expected a "${key}" list in the response`, key);
}
