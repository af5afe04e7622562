// demo.env: shell assignments the README examples `source`, and what a rerun reads back (the
// anchor date and the secret every demo password is derived from), so reruns keep the same
// passwords and dates.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** `NAME='value'` lines; values single-quoted ('\'' for a quote). Other lines are ignored. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)='((?:[^']|'\\'')*)'\s*(?:#.*)?$/.exec(line);
    if (m) out.set(m[1], m[2].replace(/'\\''/g, "'"));
  }
  return out;
}

export function readEnvFile(path: string): Map<string, string> | null {
  return existsSync(path) ? parseEnvFile(readFileSync(path, 'utf8')) : null;
}

export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export interface EnvEntry {
  name: string;
  value: string;
  comment?: string;
}

/** Shell functions the README examples use: sign in as a person or as a service account. */
const FUNCTIONS = `
# token EMAIL PASSWORD → an access token (POST /auth/token, password grant)
token() {
  curl -s "$API/auth/token" -H 'content-type: application/json' \\
    -d "$(jq -n --arg email "$1" --arg password "$2" '{grantType: "password", email: $email, password: $password}')" | jq -r .accessToken
}
# service_token CLIENT_ID CLIENT_SECRET → an access token for a service account (client_credentials grant)
service_token() {
  curl -s "$API/auth/token" -H 'content-type: application/json' \\
    -d "$(jq -n --arg id "$1" --arg secret "$2" '{grantType: "client_credentials", clientId: $id, clientSecret: $secret}')" | jq -r .accessToken
}
`;

export function renderEnvFile(entries: Array<EnvEntry | string>): string {
  const lines = [
    '# Written by `npm run demo` (tools/demo). The README examples `source` it; a rerun of the demo reads it back.',
    '# Mode 0600: it holds the passwords of the demo users.',
  ];
  for (const entry of entries) {
    if (typeof entry === 'string') lines.push(entry);
    else lines.push(`${entry.name}=${shellQuote(entry.value)}${entry.comment ? `   # ${entry.comment}` : ''}`);
  }
  return `${lines.join('\n')}\n${FUNCTIONS}`;
}

/** Writes atomically, readable by its owner only. */
export function writeEnvFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export const newDemoSecret = (): string => randomBytes(32).toString('base64url');

/**
 * A demo user's password: 24 characters of HMAC-SHA256(secret, e-mail) in base64url, about 144
 * bits from a 256-bit random secret. The same on every run that reads the secret back.
 */
export function demoPassword(secret: string, email: string): string {
  return createHmac('sha256', secret).update(`demo password:${email.toLowerCase()}`).digest('base64url').slice(0, 24);
}
