import { secureCookie, sessionCookie, sessionTokenOf } from './session-cookie';

describe('session cookie', () => {
  it('is Secure everywhere but plain http to the local machine', () => {
    expect(secureCookie('http', 'localhost:3000')).toBe(false);
    expect(secureCookie('http', '127.0.0.1')).toBe(false);
    expect(secureCookie('https', 'localhost')).toBe(true);
    expect(secureCookie('http', 'registry.example')).toBe(true);
    expect(secureCookie('http', 'localhost.example')).toBe(true);
  });

  it('is HttpOnly, SameSite=Strict and scoped to /auth', () => {
    const value = sessionCookie('a'.repeat(43), new Date(Date.now() + 3_600_000), true);
    expect(value).toMatch(/^registry_session=a{43}; Path=\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/);
    expect(sessionCookie(null, new Date(), false)).toBe('registry_session=; Path=/auth; Max-Age=0; HttpOnly; SameSite=Strict');
  });

  it('reads the token among other cookies, and refuses what the registry never issued', () => {
    const token = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdl_-';
    expect(sessionTokenOf(`lang=en; registry_session=${token}; other=1`)).toBe(token);
    expect(sessionTokenOf('registry_session=<script>')).toBeUndefined();
    expect(sessionTokenOf('xregistry_session=' + token)).toBeUndefined();
    expect(sessionTokenOf(undefined)).toBeUndefined();
  });
});
