// The JSON API client: same-origin, with the session cookie. Failures throw
// ApiError (the server answered) or NetworkError (it did not, or too slowly).

const TIMEOUT_MS = 45000; // slow mobile links: generous, not forever

const CODES = ['unauthenticated', 'forbidden', 'not_found', 'conflict', 'gone',
  'payload_too_large', 'validation', 'rate_limited', 'unavailable', 'internal'];
const CODE_BY_STATUS = {
  400: 'validation', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found', 409: 'conflict',
  410: 'gone', 413: 'payload_too_large', 422: 'validation', 429: 'rate_limited', 500: 'internal',
  502: 'unavailable', 503: 'unavailable', 504: 'unavailable',
};

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(`HTTP ${status}`);
    this.status = status;
    const code = problem?.code;
    this.code = CODES.includes(code) ? code : (CODE_BY_STATUS[status] ?? null);
    this.detail = typeof problem?.detail === 'string' ? problem.detail : '';
    this.retryAfter = retryAfter; // seconds, or null
  }
}

export class NetworkError extends Error {
  constructor(timedOut) {
    super(timedOut ? 'timeout' : 'network');
    this.timedOut = timedOut;
  }
}

/** Retry-After is delay-seconds or an HTTP date. */
function retryAfter(value) {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const when = Date.parse(value);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
}

/**
 * -> the parsed JSON body (null for 204). options.signal cancels;
 * options.contentType sends `body` as it is (text) with that type;
 * options.onHeaders(headers) sees the answer's headers.
 */
export async function request(method, path, body, options = {}) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, TIMEOUT_MS);
  const outer = options.signal;
  const cancel = () => controller.abort();
  if (outer?.aborted) cancel();
  outer?.addEventListener('abort', cancel);
  try {
    let response;
    let data = null;
    try {
      response = await fetch(path, {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': options.contentType || 'application/json', Accept: 'application/json, application/problem+json' },
        body: body === undefined ? undefined : options.contentType ? body : JSON.stringify(body),
        signal: controller.signal,
      });
      options.onHeaders?.(response.headers);
      if (/^application\/([\w.-]+\+)?json\b/i.test(response.headers.get('Content-Type') || '')) {
        data = await response.json().catch((err) => {
          if (controller.signal.aborted) throw err;
          return null; // a broken body is judged by the status alone
        });
      }
    } catch {
      throw new NetworkError(timedOut);
    }
    if (!response.ok) throw new ApiError(response.status, data, retryAfter(response.headers.get('Retry-After')));
    // A success that is not JSON (a proxy's page, say) is a server fault.
    if (data === null && response.status !== 204) throw new ApiError(500, null, null);
    return data;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', cancel);
  }
}

export const get = (path, options) => request('GET', path, undefined, options);
export const post = (path, body, options) => request('POST', path, body, options);
export const put = (path, body, options) => request('PUT', path, body, options);
export const patch = (path, body, options) => request('PATCH', path, body, options);
export const del = (path, options) => request('DELETE', path, undefined, options);
