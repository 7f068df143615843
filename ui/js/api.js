// Calls to the server's documented HTTP API (/v1/...), with the session's
// token. A refusal becomes an ApiError that carries the server's own text.
import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, errors) {
    super(errors.length ? errors.join('; ') : `the server answered ${status}`);
    this.status = status;
    this.errors = errors;
  }
}

// Listeners learn that the token stopped working (expired or revoked).
export const tokenLost = new EventTarget();

// `path` is raw ("secret/data/my app"); each segment is percent-encoded here.
export async function api(method, path, body, { token = session.token(), query } = {}) {
  const headers = {};
  if (token) headers['X-Vault-Token'] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  const search = query ? `?${new URLSearchParams(query)}` : '';
  const response = await fetch(`/v1/${encoded}${search}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (response.ok) return json;
  const error = new ApiError(response.status, (json && json.errors) || []);
  if (response.status === 403 && token && path !== 'auth/token/lookup-self') {
    // Refused: the path's policy, or a token that no longer works.
    const alive = await fetch('/v1/auth/token/lookup-self', {
      headers: { 'X-Vault-Token': token },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (alive.status === 403) tokenLost.dispatchEvent(new Event('lost'));
  }
  throw error;
}

// The keys under a folder ([] when there is none).
export async function list(path) {
  try {
    const answer = await api('GET', path, undefined, { query: { list: 'true' } });
    return answer.data.keys || [];
  } catch (error) {
    if (error.status === 404) return [];
    throw error;
  }
}

// What the session's token may do on each path: {path: ['read', ...]}.
export async function capabilities(paths) {
  const answer = await api('POST', 'sys/capabilities-self', { paths });
  const result = {};
  for (const path of paths) result[path] = new Set(answer.data[path] || []);
  return result;
}

// Whether a capability set allows `operation` (root allows everything).
export function can(set, operation) {
  return set.has('root') || (set.has(operation) && !set.has('deny'));
}
