// One delivery attempt over HTTP(S): POST the body, take the status, follow no redirect (the Standard Webhooks
// specification treats 3xx as a failure), give up after the timeout. Every address the host name resolves to is
// checked when connecting (endpoint-url.ts), so a name re-pointed at a private address after registration is refused.
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { isPublicAddress } from './endpoint-url';

export interface PostResult {
  statusCode: number | null;
  error: string | null;
}

function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses;
      const refused = list.find((a) => !isPublicAddress(a.address, allowLoopback));
      if (refused || list.length === 0)
        return callback(new Error(`${hostname} resolves to ${refused?.address ?? 'nothing'}, which is not a public address`), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}

export function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, allowLoopback: boolean): Promise<PostResult> {
  const target = new URL(url);
  const literal = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  if (isIP(literal) && !isPublicAddress(literal, allowLoopback)) return Promise.resolve({ statusCode: null, error: `${literal} is not a public address` });
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'gba-registry-webhooks' },
        lookup: guardedLookup(allowLoopback),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        // Only the status matters; the answer's body is read and dropped so the socket is freed.
        response.resume();
        resolve({ statusCode: response.statusCode ?? null, error: null });
      },
    );
    request.on('error', (error: Error & { code?: string }) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
      resolve({ statusCode: null, error: timedOut ? `no answer within ${timeoutMs} ms` : error.message || error.code || 'request failed' });
    });
    request.end(body);
  });
}
