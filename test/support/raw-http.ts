/**
 * HTTP/1.1 over a raw TCP socket, for what supertest and inject cannot send: a malformed request
 * line, a bad Content-Length, a body trickled byte by byte.
 */
import * as net from 'node:net';

export interface RawAnswer {
  /** Everything the server wrote before the connection ended. */
  raw: string;
  status: number;
  headers: Record<string, string>;
  /** The first answer's body (a keep-alive connection may carry more after it). */
  body: string;
  /** The server closed the connection; false only when `giveUpMs` passed first. */
  closedByServer: boolean;
}

export function parseRawAnswer(raw: string, closedByServer: boolean): RawAnswer {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const after = rest.join('\r\n\r\n');
  const length = headers['content-length'];
  const body = length === undefined ? after : Buffer.from(after, 'latin1').subarray(0, Number(length)).toString('latin1');
  return { raw, status, headers, body, closedByServer };
}

/**
 * Opens a socket to 127.0.0.1:`port`, writes `chunks` (each after `gapMs`), and collects what the
 * server writes until it closes the connection. With `giveUpMs`, a connection the server still
 * holds then is closed by us and reported with `closedByServer: false`; without it, a held
 * socket is left to the test's own timeout.
 */
export function rawExchange(port: number, chunks: Array<string | Buffer>, gapMs = 0, giveUpMs?: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let byServer = true;
    const giveUp = giveUpMs === undefined ? undefined : setTimeout(() => ((byServer = false), socket.destroy()), giveUpMs);
    let index = 0;
    const writeNext = (): void => {
      if (index >= chunks.length || socket.destroyed) return;
      socket.write(chunks[index++]);
      if (index < chunks.length) timer = setTimeout(writeNext, gapMs);
    };
    socket.on('connect', writeNext);
    socket.on('data', (data) => received.push(data));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the server answered and closed still counts as closed by the server.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve(parseRawAnswer(Buffer.concat(received).toString('latin1'), byServer));
    });
  });
}
