/*
 * What a hostile or broken client meets on a raw TCP socket, before any route runs: slow
 * requests are cut off (408 where an answer is still possible, the socket closed), and every
 * answer the HTTP parser or Fastify gives before routing is application/problem+json like the
 * rest of the API (docs/api.md#errors). Raw `net` sockets, because supertest and inject cannot
 * send a malformed request line or trickle a body.
 */
import type * as net from 'node:net';
import { startTestApp, TestApp } from '../support/app';
import { RawAnswer, rawExchange as exchange } from '../support/raw-http';

function expectProblem(answer: RawAnswer, status: number, code: string): Record<string, unknown> {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status, type: 'application/problem+json; charset=utf-8' });
  const problem = JSON.parse(answer.body) as Record<string, unknown>;
  expect(problem).toMatchObject({ status, code, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body, 'latin1'));
  return problem;
}

describe('the HTTP edge: slow clients and protocol errors', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    // Short limits so a slow client is cut off within the test; the defaults are in src/config/config.ts.
    t = await startTestApp({
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_CONNECTION_TIMEOUT_MS: '5000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
    });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as net.AddressInfo).port;
  });
  afterAll(async () => t?.close());

  describe('slow requests', () => {
    it('answers a body trickled one byte at a time to POST /auth/token with 408 problem+json and closes the socket', async () => {
      const body = JSON.stringify({ grantType: 'password', username: 'a@b.test', password: 'x'.repeat(40) });
      const head = `POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const answer = await exchange(port, [head, ...body.split('')], 200);
      expectProblem(answer, 408, 'REQUEST_TIMEOUT');
      expect(answer.closedByServer).toBe(true);
      expect(answer.headers.connection).toBe('close');
    });

    it('answers request headers trickled line by line with 408 problem+json and closes the socket', async () => {
      const lines = ['GET /health HTTP/1.1\r\n', 'Host: localhost\r\n', ...Array.from({ length: 50 }, (_, i) => `X-Slow-${i}: y\r\n`)];
      const answer = await exchange(port, lines, 200);
      expectProblem(answer, 408, 'REQUEST_TIMEOUT');
      expect(answer.closedByServer).toBe(true);
    });

    it('answers a connection that never sends its request with 408 problem+json and closes it', async () => {
      const answer = await exchange(port, [], 0);
      expectProblem(answer, 408, 'REQUEST_TIMEOUT');
      expect(answer.closedByServer).toBe(true);
    });

    it('closes an idle keep-alive connection after its answer', async () => {
      const answer = await exchange(port, ['GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n'], 0);
      expect(answer.closedByServer).toBe(true);
      expect(answer.status).toBe(200);
    });
  });

  describe('errors answered before routing are problem+json', () => {
    it('a header block over the limit: 431', async () => {
      const answer = await exchange(port, [`GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
      expectProblem(answer, 431, 'HEADERS_TOO_LARGE');
      expect(answer.closedByServer).toBe(true);
    });

    it.each([
      ['a malformed request line', 'NOT A REQUEST\r\n\r\n'],
      ['an unknown method token with a space', 'GE T /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n'],
      ['a bad HTTP version', 'GET /health/live HTTP/9.9\r\nHost: localhost\r\n\r\n'],
      ['a non-numeric Content-Length', 'POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n{}'],
      ['two different Content-Lengths', 'POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
      ['a negative Content-Length', 'POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n{}'],
      [
        'Content-Length with Transfer-Encoding',
        'POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ],
      ['a raw space in the path', 'GET /organisations/a b HTTP/1.1\r\nHost: localhost\r\n\r\n'],
      ['a control character in the path', 'GET /organisations/a\x01b HTTP/1.1\r\nHost: localhost\r\n\r\n'],
      ['a header without a colon', 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nbroken header\r\n\r\n'],
      [
        'bad chunked encoding',
        'POST /auth/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ],
    ])('%s: 400', async (_name, request) => {
      const answer = await exchange(port, [Buffer.from(request, 'latin1')]);
      const problem = expectProblem(answer, 400, 'MALFORMED_REQUEST');
      expect(problem.detail).toEqual(expect.any(String));
      expect(answer.closedByServer).toBe(true);
    });

    it.each([
      [
        'a raw non-ASCII character in the path',
        Buffer.concat([Buffer.from('GET /organisations/'), Buffer.from('é', 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n')]),
      ],
      [
        'a raw byte that is not UTF-8 in the path',
        Buffer.concat([Buffer.from('GET /organisations/'), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n')]),
      ],
      ['a bad percent-encoding in the path', Buffer.from('GET /organisations/%E0%A4%A HTTP/1.1\r\nHost: localhost\r\n\r\n')],
    ])('%s: 400 problem+json', async (_name, request) => {
      const answer = await exchange(port, [request, 'GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']);
      expectProblem(answer, 400, 'MALFORMED_REQUEST');
    });
  });
});
