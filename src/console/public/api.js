// The registry's HTTP API, called with the signed-in user's bearer token.
// The access token lives in this module's memory only: not in localStorage or sessionStorage.
// The session survives a reload through the registry's refresh-token cookie (HttpOnly, so no
// script here can read it; docs/api.md#sessions): POST /auth/refresh restores and renews it.

let session = null; // { token, expiresAt, me }
const signOutListeners = new Set();

export class ApiError extends Error {
  constructor(status, problem, route) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.route = route;
  }
}

export function currentUser() {
  return session?.me ?? null;
}

export function isSignedIn() {
  return session !== null && Date.now() < session.expiresAt;
}

export function onSignOut(listener) {
  signOutListeners.add(listener);
}

/** Whether the signed-in user acts for an organisation (GET /auth/me `actsFor`): the organisation's view, not the regulators'. */
export function actsForOrganisation() {
  return session?.me?.actsFor === 'organisation';
}

let renewal = null;
let refreshing = null;

async function startSession(body) {
  session = { token: body.accessToken, expiresAt: Date.now() + (body.expiresIn ?? 900) * 1000, me: null };
  try {
    session.me = await get('/auth/me');
  } catch (error) {
    session = null;
    throw error;
  }
  window.clearTimeout(renewal);
  // Renewed at four fifths of the token's life, so a reviewer is never signed out mid-review.
  renewal = window.setTimeout(() => void refresh().catch(() => signOut('expired')), (body.expiresIn ?? 900) * 800);
  return session.me;
}

export async function signIn(email, password) {
  const response = await fetch('/auth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ grantType: 'password', email, password }),
    credentials: 'same-origin',
  });
  const body = await readBody(response);
  if (!response.ok) throw new ApiError(response.status, body, '/auth/token');
  return startSession(body);
}

/** Renews the session from the refresh-token cookie; one renewal at a time (a refresh token works once). */
function refresh() {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/auth/refresh', { method: 'POST', headers: { accept: 'application/json' }, credentials: 'same-origin' });
      const body = await readBody(response);
      if (!response.ok) throw new ApiError(response.status, body, '/auth/refresh');
      return await startSession(body);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** After a reload: the session again, if the cookie still holds one; null otherwise. */
export async function restore() {
  try {
    return await refresh();
  } catch {
    return null;
  }
}

async function endSession() {
  window.clearTimeout(renewal);
  session = null;
  await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
}

export function signOut(reason = 'user') {
  if (reason === 'user') void endSession();
  window.clearTimeout(renewal);
  session = null;
  for (const listener of signOutListeners) listener(reason);
}

function url(path, query) {
  const target = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    target.searchParams.set(name, String(value));
  }
  return target.pathname + target.search;
}

async function request(method, path, { query, body, form, accept = 'application/json', headers = {} } = {}, retried = false) {
  if (!session) throw new ApiError(401, { title: 'Not signed in' }, path);
  const target = url(path, query);
  const response = await fetch(target, {
    method,
    headers: {
      authorization: `Bearer ${session.token}`,
      accept,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    // A FormData body (an upload) sets its own multipart content type and boundary.
    body: form ?? (body !== undefined ? JSON.stringify(body) : undefined),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (response.status === 401 && !retried) {
    // The token lapsed (a suspended laptop misses its renewal): renew once from the session cookie and retry.
    const renewed = await refresh().then(
      () => true,
      () => false,
    );
    if (renewed) return request(method, path, { query, body, form, accept, headers }, true);
  }
  if (response.status === 401) {
    signOut('expired');
    throw new ApiError(401, await readBody(response), path);
  }
  if (!response.ok) throw new ApiError(response.status, await readBody(response), path);
  return response;
}

async function readBody(response) {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) return response.json().catch(() => null);
  return response.text().catch(() => null);
}

export async function get(path, query) {
  return readBody(await request('GET', path, { query }));
}

export async function post(path, body) {
  return readBody(await request('POST', path, { body: body ?? {} }));
}

/** A multipart/form-data POST, e.g. a filing material (POST /contracts/:id/documents). */
export async function postForm(path, form) {
  return readBody(await request('POST', path, { form }));
}

export async function getBlob(path, query, accept = '*/*') {
  const response = await request('GET', path, { query, accept });
  return { blob: await response.blob(), fileName: fileNameOf(response) };
}

/** A public route (no token needed), e.g. the ledger checkpoint. */
export async function getPublic(path, accept = 'application/json') {
  const response = await fetch(path, { headers: { accept }, credentials: 'omit', cache: 'no-store' });
  const body = await (accept.includes('json') ? readBody(response) : response.text());
  if (!response.ok) throw new ApiError(response.status, typeof body === 'object' ? body : { detail: body }, path);
  return body;
}

function fileNameOf(response) {
  const disposition = response.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : null;
}

/**
 * Follows cursors until `maxItems` items or the end; returns { items, complete }. A list answered as
 * `{items, nextCursor}` carries its cursor in the body; one answered as a plain array (a contract's
 * versions, incidents and documents) in the `X-Next-Cursor` header.
 */
export async function getAll(path, query = {}, { pageSize = 500, maxItems = 5000 } = {}) {
  const items = [];
  let cursor;
  for (;;) {
    const response = await request('GET', path, { query: { ...query, limit: pageSize, cursor } });
    const page = await readBody(response);
    const pageItems = Array.isArray(page) ? page : (page?.items ?? []);
    items.push(...pageItems);
    cursor = Array.isArray(page) ? response.headers.get('x-next-cursor') : page?.nextCursor;
    if (!cursor) return { items, complete: true };
    if (items.length >= maxItems) return { items, complete: false };
  }
}
