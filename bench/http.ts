/**
 * The bench's own HTTP client: node:http over one keep-alive agent. The bench shares the two cores with the registry
 * and PostgreSQL, and times reads one at a time, so what its client costs is in every figure. Node 20's `fetch`
 * (undici, WHATWG streams) cost about 160 µs more CPU per small request than this on the machine of 1 December, and
 * its p99 for a small answer from a bare Node server was several times this client's (README, Performance). A regulator's
 * verifier runs on a machine of its own; the bench's client should take as little of this one as it can.
 */
import * as http from 'node:http';

/** Keep-alive, as `fetch` and autocannon keep their connections; an idle socket does not hold the process open. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface Answer {
  status: number;
  text: string;
}

/**
 * One request to `base + url`. A body that is a Buffer is sent as it is; a string as UTF-8. A request on a reused
 * socket that the server had closed while it idled (ECONNRESET before any answer) is sent again once, as Node's
 * documentation advises for keep-alive agents.
 */
export function send(base: string, method: string, url: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  const attempt = (retry: boolean): Promise<Answer> =>
    new Promise<Answer>((resolve, reject) => {
      const request = http.request(
        base + url,
        { method, agent, headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          response.on('error', reject);
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (retry && request.reusedSocket && error.code === 'ECONNRESET') resolve(attempt(false));
        else reject(error);
      });
      request.end(payload);
    });
  return attempt(true);
}

/** A GET whose answer is read as it streams: `onChunk` sees every chunk of a 2xx body; resolves with the status when it ends. */
export function receive(base: string, url: string, headers: Record<string, string>, onChunk: (chunk: Buffer) => void): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const request = http.get(base + url, { agent, headers }, (response) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) response.resume();
      else response.on('data', onChunk);
      response.on('end', () => resolve(status));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}
