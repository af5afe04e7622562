import { createHmac } from 'node:crypto';
import { afterAttempt, backoffMs } from './delivery-rules';
import { endpointUrlProblem, isPublicAddress } from './endpoint-url';
import { newSecret, secretKey, sign, signedHeaders, verify } from './signature';

describe('signing (Standard Webhooks)', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(newSecret()).not.toBe(secret);
  });

  it('signs id.timestamp.body with HMAC-SHA256 keyed by the decoded secret, as v1,<base64>', () => {
    const key = Buffer.from('registry test key of 32 bytes!!!');
    const secret = `whsec_${key.toString('base64')}`;
    const body = '{"type":"filing.returned","timestamp":"2026-11-30T08:00:00.000Z","data":{}}';
    const expected = createHmac('sha256', key).update(`msg_1.1764489600.${body}`).digest('base64');
    expect(sign(secret, 'msg_1', 1764489600, body)).toBe(`v1,${expected}`);
  });

  it('puts the attempt time in whole seconds in webhook-timestamp, and a receiver verifies it', () => {
    const secret = newSecret();
    const headers = signedHeaders(secret, 'msg_2', new Date(1764489600999), '{}');
    expect(headers['webhook-timestamp']).toBe('1764489600');
    const check = { id: 'msg_2', timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] };
    expect(verify(secret, check, '{}')).toBe(true);
    expect(verify(secret, check, '{ }')).toBe(false);
    expect(verify(newSecret(), check, '{}')).toBe(false);
    expect(verify(secret, { ...check, signature: `v1a,xyz ${check.signature}` }, '{}')).toBe(true);
  });
});

describe('endpoint URLs', () => {
  it.each([
    ['https://hooks.example.com/in', false, null],
    ['https://203.0.113.10:8443/in', false, null],
    ['http://hooks.example.com/in', false, 'must use https'],
    ['http://127.0.0.1:3000/in', false, 'must use https'],
    ['http://127.0.0.1:3000/in', true, null],
    ['http://localhost/in', true, null],
    ['http://[::1]:9000/in', true, null],
    ['http://10.0.0.1/in', true, 'must use https'],
    ['https://localhost/in', false, 'must name a public host, not a local or internal one'],
    ['https://intranet/in', false, 'must name a public host, not a local or internal one'],
    ['https://printer.local/in', false, 'must name a public host, not a local or internal one'],
    ['https://192.168.1.1/in', false, 'must not be a private, loopback, link-local or reserved address'],
    ['https://100.64.0.1/in', false, 'must not be a private, loopback, link-local or reserved address'],
    ['https://[::ffff:10.0.0.1]/in', false, 'must not be a private, loopback, link-local or reserved address'],
    ['https://[fe80::1]/in', false, 'must not be a private, loopback, link-local or reserved address'],
    ['https://u:p@hooks.example.com/in', false, 'must not carry a user name or password'],
    ['https://hooks.example.com/in#x', false, 'must not have a fragment'],
    ['hooks.example.com/in', false, 'must be an absolute URL'],
  ])('%s (local http allowed: %s) → %s', (url, allow, problem) => {
    expect(endpointUrlProblem(url, allow)).toBe(problem);
  });

  it('checks resolved addresses: public ones only, loopback when local delivery is allowed', () => {
    expect(isPublicAddress('93.184.215.14')).toBe(true);
    expect(isPublicAddress('2606:2800:21f:cb07:6820:80da:af6b:8b2c')).toBe(true);
    for (const address of ['10.2.3.4', '172.20.0.1', '192.168.0.9', '127.0.0.1', '169.254.169.254', '0.0.0.0', '::1', 'fd12::1', '::ffff:192.168.0.1'])
      expect(isPublicAddress(address)).toBe(false);
    expect(isPublicAddress('127.0.0.1', true)).toBe(true);
    expect(isPublicAddress('10.2.3.4', true)).toBe(false);
    expect(isPublicAddress('not-an-address')).toBe(false);
  });
});

describe('retries', () => {
  const policy = { maxAttempts: 4, retryBaseMs: 1000, retryMaxMs: 5000 };

  it('doubles the wait after each failure, capped, with at most 10 % jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, 0))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffMs(2, policy, 0.999)).toBe(2200);
  });

  it('delivers on 2xx; retries other answers and errors; gives up on 410 or after the last attempt', () => {
    expect(afterAttempt(1, { statusCode: 204, error: null }, policy, 0)).toEqual({ status: 'DELIVERED', retryInMs: null });
    expect(afterAttempt(1, { statusCode: 500, error: null }, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 1000 });
    expect(afterAttempt(2, { statusCode: 301, error: null }, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 2000 });
    expect(afterAttempt(3, { statusCode: null, error: 'timeout' }, policy, 0)).toEqual({ status: 'PENDING', retryInMs: 4000 });
    expect(afterAttempt(4, { statusCode: 500, error: null }, policy, 0)).toEqual({ status: 'FAILED', retryInMs: null });
    expect(afterAttempt(1, { statusCode: 410, error: null }, policy, 0)).toEqual({ status: 'FAILED', retryInMs: null });
  });
});
