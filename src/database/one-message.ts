/*
 * Several statements in one round trip, for the transfer log's group transaction (docs/architecture.md#the-transfer-log).
 * node-postgres sends a query only once the previous one is answered, so every statement costs a round
 * trip and the wake-ups on both sides. Statements that do not depend on each other's results go together
 * instead, as one simple-protocol Query message ("Multiple Statements in a Simple Query", PostgreSQL docs,
 * Frontend/Backend Protocol, Message Flow):
 *  - the statements run in order, each with its own snapshot under READ COMMITTED, so a read placed after a
 *    lock statement sees everything committed before the lock was granted;
 *  - the first error ends the message: the statements after it are not run, and an explicit transaction
 *    block is left aborted (the caller rolls back);
 *  - a `COPY … FROM STDIN` among them takes its data from the CopyData and CopyDone messages that follow,
 *    and they are sent right behind the Query, without waiting for CopyInResponse: if the message fails
 *    before the COPY, the server drops them ("any subsequent CopyData, CopyDone, or CopyFail messages issued
 *    by the frontend will simply be dropped", Message Flow, COPY Operations).
 * A simple Query carries no parameters, so the values are written as literals (./sql-literals.ts).
 */
import type { ClientBase, QueryResult } from 'pg';

/** Runs the statements as one Query message and returns each one's result, in order. */
export async function queryTogether(client: ClientBase, statements: readonly string[]): Promise<QueryResult[]> {
  const results = (await client.query(statements.join(';\n'))) as QueryResult | QueryResult[];
  const list = Array.isArray(results) ? results : [results];
  if (list.length !== statements.length) throw new Error(`queryTogether: ${statements.length} statements sent, ${list.length} answered`);
  return list;
}

interface BackendMessage {
  text?: string;
}

/**
 * One Query message of statements of which exactly one is a `COPY … FROM STDIN`, with `data` as that COPY's
 * one CopyData message, all sent in one write: a pg "submittable" (as pg-copy-streams is). Resolves once the
 * server answered the whole message with the command tags of its statements, in order; rejects with the
 * server's error (which has an SQLSTATE, see refusedByServer) when one of them failed.
 */
class StatementsWithCopy {
  readonly tags: string[] = [];
  readonly done: Promise<string[]>;
  private settle!: { resolve: (tags: string[]) => void; reject: (error: unknown) => void };
  private failed = false;
  /** Set by pg's Client.query for submittables; unused, as the outcome is `done`. */
  callback: unknown;

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
  }

  submit(connection: {
    stream: { cork?: () => void; uncork?: () => void };
    query(text: string): void;
    sendCopyFromChunk(chunk: Buffer): void;
    endCopyFrom(): void;
  }): void {
    // Corked, the three messages leave in one system call (a writev) rather than three writes, each of which
    // costs this process the loopback's delivery to the server (pg corks its own extended queries the same way).
    connection.stream.cork?.();
    try {
      connection.query(this.text);
      connection.sendCopyFromChunk(this.data);
      connection.endCopyFrom();
    } finally {
      connection.stream.uncork?.();
    }
  }

  /** The data went out with the Query; nothing to send now. */
  handleCopyInResponse(): void {}

  handleCommandComplete(message: BackendMessage): void {
    this.tags.push(String(message.text ?? ''));
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  handleError(error: unknown): void {
    this.failed = true;
    this.settle.reject(error);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.settle.resolve(this.tags);
  }
}

/**
 * Sends `before`, then `COPY target FROM STDIN (FORMAT binary)` with `payload`, then `after` as one Query
 * message with its data: one round trip. Returns the command tags of all of them, in order.
 */
export async function copyAmong(client: ClientBase, before: readonly string[], copy: string, payload: Buffer, after: readonly string[]): Promise<string[]> {
  const statements = [...before, copy, ...after];
  const message = new StatementsWithCopy(statements.join(';\n'), payload);
  void client.query(message as never);
  const tags = await message.done;
  if (tags.length !== statements.length) throw new Error(`copyAmong: ${statements.length} statements sent, ${tags.length} answered`);
  return tags;
}
