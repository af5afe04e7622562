/**
 * The bench's own HTTP client: node:http over one keep-alive agent. The bench shares the two cores with the registry
 * and PostgreSQL, and times reads one at a time, so what its client costs is in every figure. Node 20's `fetch`
 * (undici, WHATWG streams) cost about 160 µs more CPU per small request than this on the machine of 1 December, and
 * its p99 for a small answer from a bare Node server was several times this client's (README, Performance). A regulator's
 * verifier runs on a machine of its own; the bench's client should take as little of this one as it can.
 */
import * as http from 'node:http';
import * as net from 'node:net';

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

/** What `receiveLines` reads into, over and over: the socket's reads allocate nothing per chunk. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/**
 * A GET of a streamed answer that counts its body's line breaks, over a socket of its own (`Connection: close`) that
 * reads into one reused buffer (net's `onread`). With node:http every chunk of a large body is a new Buffer outside
 * V8's heap; after the bench's client had idled for half a minute, V8's memory reducer had lowered its limit for such
 * memory, and receiving the 1M-row export then ran back-to-back full collections in the client (`--trace-gc`: one every
 * 100 ms), which took a core from the registry and halved the export's rate (README, Performance). Reads the status
 * line, the headers, and a body sent with `Transfer-Encoding: chunked` or with a `Content-Length`.
 */
export function receiveLines(base: string, url: string, headers: Record<string, string>): Promise<{ status: number; lines: number }> {
  const target = new URL(base + url);
  return new Promise((resolve, reject) => {
    let head = '';
    let status = 0;
    let chunked = false;
    let remaining = -1; // body bytes left: of the current chunk when chunked, of the whole body otherwise
    let sizeLine = '';
    let state: 'head' | 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'head';
    let lines = 0;
    let trailer = '';
    const countLines = (buf: Buffer, from: number, to: number): void => {
      for (let at = buf.indexOf(10, from); at >= 0 && at < to; at = buf.indexOf(10, at + 1)) lines++;
    };
    const consume = (buf: Buffer, from: number, to: number): void => {
      let p = from;
      while (p < to && state !== 'done') {
        if (state === 'head') {
          const text = buf.toString('latin1', p, to);
          const end = (head + text).indexOf('\r\n\r\n');
          if (end < 0) {
            head += text;
            return;
          }
          const used = end + 4 - head.length;
          head = (head + text).slice(0, end);
          p += used;
          status = Number(head.slice(9, 12));
          chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          remaining = chunked ? 0 : length ? Number(length[1]) : Infinity;
          state = chunked ? 'size' : 'data';
        } else if (state === 'size') {
          const at = buf.indexOf(10, p);
          if (at < 0 || at >= to) {
            sizeLine += buf.toString('latin1', p, to);
            return;
          }
          sizeLine += buf.toString('latin1', p, at);
          p = at + 1;
          remaining = parseInt(sizeLine, 16);
          sizeLine = '';
          state = remaining === 0 ? 'trailer' : 'data';
        } else if (state === 'data') {
          const end = Math.min(to, p + remaining);
          countLines(buf, p, end);
          remaining -= end - p;
          p = end;
          if (remaining === 0) state = chunked ? 'data-end' : 'done';
        } else if (state === 'data-end') {
          // The CRLF after a chunk's data.
          const at = buf.indexOf(10, p);
          if (at < 0 || at >= to) return;
          p = at + 1;
          state = 'size';
        } else if (state === 'trailer') {
          trailer += buf.toString('latin1', p, to);
          p = to;
          if (trailer.startsWith('\r\n') || trailer.includes('\r\n\r\n')) state = 'done';
        }
      }
    };
    const socket = net.connect({
      host: target.hostname,
      port: Number(target.port),
      onread: {
        buffer: READ_BUFFER,
        callback: (nread: number, buf: Uint8Array) => {
          try {
            consume(buf as Buffer, 0, nread);
          } catch (error) {
            socket.destroy(error as Error);
          }
          return true;
        },
      },
    });
    socket.on('connect', () => {
      const lines_ = Object.entries({ ...headers, host: target.host, connection: 'close' }).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\n${lines_.join('')}\r\n`);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (state === 'done' || (!chunked && remaining === Infinity && status)) resolve({ status, lines });
      else reject(new Error(`the answer to GET ${url} ended early (${state}, status ${status})`));
    });
  });
}
