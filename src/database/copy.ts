// Bulk writes and streaming reads through PostgreSQL COPY on the caller's
// connection (pg-copy-streams), for the transfer log's throughput (README, Performance):
// one COPY per table per request instead of one INSERT per row.
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/** A value of one COPY text-format column; arrays become PostgreSQL array literals, Buffers bytea. */
export type CopyValue = string | number | boolean | null | Buffer | readonly string[];

/** The pg client a transaction's EntityManager runs on. */
export async function clientOf(manager: EntityManager): Promise<PoolClient> {
  const runner = manager.queryRunner;
  if (!runner) throw new Error('clientOf needs an EntityManager bound to a transaction');
  return (await runner.connect()) as PoolClient;
}

/** A pooled client for a long read (exports); call release() exactly once. */
export async function borrowClient(dataSource: DataSource): Promise<{ client: PoolClient; release: (error?: Error) => void }> {
  const [client, release] = (await (dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PoolClient, (error?: Error) => void];
  let released = false;
  return {
    client,
    // Releasing with an error makes the pool destroy the connection instead of reusing it.
    release: (error?: Error) => {
      if (!released) {
        released = true;
        release(error);
      }
    },
  };
}

// COPY text format (PostgreSQL docs, COPY "Text Format"): backslash, newline,
// carriage return and tab are escaped; \N is NULL.
function escapeText(value: string): string {
  return /[\\\n\r\t]/.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : value;
}

/** A PostgreSQL array literal with every element double-quoted. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function field(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return escapeText(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`;
  return escapeText(arrayLiteral(value));
}

/** COPY rows into a table on this client; resolves when PostgreSQL has them. */
export async function copyRows(client: PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<void> {
  const chunks: string[] = [];
  for (const row of rows) {
    chunks.push(row.map(field).join('\t'));
  }
  if (chunks.length === 0) return;
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(chunks.join('\n') + '\n');
  });
}

/** COPY (query) TO STDOUT as a readable stream of bytes. */
export function copyOut(client: PoolClient, sql: string): Readable {
  return client.query(copyTo(sql));
}
