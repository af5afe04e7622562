/*
 * The pool's connections (src/database/pg-client.ts), against the real PostgreSQL: node-postgres' Client whose
 * promises settle through its callback path, so that a query's rows die in the young generation
 * (docs/scaling.md#read-tails).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Client, DatabaseError, Pool, Query } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { createDataSource } from '../../src/database/data-source';
import { RegistryPgClient } from '../../src/database/pg-client';
import { createTestDatabase } from '../support/database';

describe("the pool's PostgreSQL connections", () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  const clients: Client[] = [];
  const connect = async (Class: typeof Client = RegistryPgClient) => {
    const client = new Class({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await createDataSource(database.url, { poolSize: 2 }).initialize();
  });
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await dataSource?.destroy();
    await database?.drop();
  });

  it('are RegistryPgClients, for TypeORM and for the prepared reads alike', async () => {
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    const client = await pool.connect();
    try {
      expect(client).toBeInstanceOf(RegistryPgClient);
    } finally {
      client.release();
    }
    expect(await dataSource.query('SELECT ARRAY[$1, NULL, $2]::text[] AS a', ['x, "y"', '{z}'])).toEqual([{ a: ['x, "y"', null, '{z}'] }]);
  });

  it('a promise gets the rows, and a failing statement the server error with the caller in its stack', async () => {
    const client = await connect();
    const result = await client.query({ name: 'pg-client-spec', text: 'SELECT $1::int + 1 AS n', values: [41] });
    expect(result.rows).toEqual([{ n: 42 }]);
    expect(result.command).toBe('SELECT');

    const error = await client.query('SELECT * FROM no_such_table').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe('42P01');
    expect((error as Error).stack).toContain('pg-client.e2e-spec');
    // The connection is still usable after the failure.
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it("the callback forms and a Submittable take node-postgres' own path", async () => {
    const client = await connect();
    const viaCallback = await new Promise<unknown>((resolve, reject) => {
      const returned: unknown = client.query('SELECT 2 AS n', (error, result) => (error ? reject(error) : resolve(result.rows)));
      expect(returned).toBeUndefined();
    });
    expect(viaCallback).toEqual([{ n: 2 }]);

    const viaValuesCallback = await new Promise<unknown>((resolve, reject) =>
      client.query('SELECT $1::int AS n', [3], (error, result) => (error ? reject(error) : resolve(result.rows))),
    );
    expect(viaValuesCallback).toEqual([{ n: 3 }]);

    const rows: unknown[] = [];
    const submitted = new Query('SELECT generate_series(1, 3) AS n');
    expect(client.query(submitted)).toBe(submitted);
    await new Promise<void>((resolve, reject) =>
      submitted
        .on('row', (row: unknown) => rows.push(row))
        .on('end', () => resolve())
        .on('error', reject),
    );
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("keeps fewer of the queries' rows alive through a young-generation collection than node-postgres' own promises", async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as (options: { type: 'minor' }) => void;
    // What is left in the young generation right after a scavenge that ran between queries: with nothing of
    // the earlier queries reachable, only objects that something in the old generation points to.
    const survivors = async (client: Client): Promise<number> => {
      const text = "SELECT g AS n, repeat('x', 40) AS pad, ARRAY['a', 'b'] AS list FROM generate_series(1, 100) g";
      const left: number[] = [];
      for (let i = 1; i <= 400; i++) {
        const { rows } = await client.query({ name: 'pg-client-survivors', text });
        expect(rows).toHaveLength(100);
        if (i % 20 === 0) {
          gc({ type: 'minor' });
          left.push(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size);
        }
      }
      return left.slice(5).sort((a, b) => a - b)[Math.floor((left.length - 5) / 2)];
    };
    const registry = await survivors(await connect(RegistryPgClient));
    const plain = await survivors(await connect(Client));
    // 20 queries' rows are about 400 kB; one query's, about 20 kB.
    expect(plain).toBeGreaterThan(150_000);
    expect(registry).toBeLessThan(plain / 3);
  });
});
