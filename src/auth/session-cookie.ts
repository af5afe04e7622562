// The console's refresh-token cookie (docs/api.md#sessions). HttpOnly, so no script reads it; SameSite=Strict, so no
// other site's page sends it; Secure except on plain-http localhost (a developer's machine), so it never crosses the
// network in clear; Path=/auth, so only the sign-in, refresh and sign-out routes ever receive it (RFC 6265bis §4.1).

export const SESSION_COOKIE = 'registry_session';
export const SESSION_COOKIE_PATH = '/auth';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Whether the cookie must be marked Secure: always, but for plain http to the local machine. */
export function secureCookie(protocol: string, hostname: string): boolean {
  const host = hostname.replace(/:\d+$/, '').toLowerCase();
  return protocol === 'https' || !LOCAL_HOSTS.has(host);
}

/** The Set-Cookie value carrying `token` until `expiresAt`, or, with `token` null, clearing it. */
export function sessionCookie(token: string | null, expiresAt: Date, secure: boolean): string {
  const maxAge = token === null ? 0 : Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  const parts = [`${SESSION_COOKIE}=${token ?? ''}`, `Path=${SESSION_COOKIE_PATH}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict'];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session cookie's value in a Cookie header (RFC 6265 §5.4: `name=value` pairs joined by "; "); undefined when absent. */
export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  for (const pair of (cookieHeader ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === SESSION_COOKIE) {
      const value = pair.slice(at + 1).trim();
      // Tokens are base64url: anything else is not one the registry issued.
      return /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}
