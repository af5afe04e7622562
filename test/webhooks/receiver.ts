import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it: the raw body (what is signed), the three Standard Webhooks headers. */
export interface Received {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
}

/**
 * The Standard Webhooks check, written here from the specification rather than taken from the registry: the secret
 * is `whsec_` + base64 of the key; the signed content is `${webhook-id}.${webhook-timestamp}.${body}`; the header
 * holds space-separated `v1,<base64 HMAC-SHA256>` signatures, one of which must match (compared in constant time).
 */
export function verifyStandardWebhook(secret: string, r: Pick<Received, 'id' | 'timestamp' | 'signature' | 'body'>): boolean {
  if (!secret.startsWith('whsec_') || !/^\d+$/.test(r.timestamp) || r.id.includes('.')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${r.id}.${r.timestamp}.${r.body}`).digest();
  return r.signature.split(' ').some((entry) => {
    const comma = entry.indexOf(',');
    if (entry.slice(0, comma) !== 'v1') return false;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * A webhook receiver on 127.0.0.1. Paths decide the answer: `/fail…` always 500; `/flaky…` 503 the first time it
 * sees a webhook-id, 204 after; anything else 204. Every request is kept, in order of arrival.
 */
export class Receiver {
  readonly received: Received[] = [];
  private readonly seen = new Set<string>();
  private server: http.Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => String(req.headers[name] ?? '');
        let json: Received['json'];
        try {
          json = JSON.parse(body);
        } catch {
          json = { type: '', timestamp: '', data: {} };
        }
        const path = req.url ?? '';
        const id = header('webhook-id');
        this.received.push({ path, id, timestamp: header('webhook-timestamp'), signature: header('webhook-signature'), body, json });
        const key = `${path} ${id}`;
        const firstTime = !this.seen.has(key);
        this.seen.add(key);
        res.statusCode = path.startsWith('/fail') ? 500 : path.startsWith('/flaky') && firstTime ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Polls until `check` passes (or the time runs out, when its last failure is thrown). */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
