/*
 * Several statements in one round trip (src/database/one-message.ts), against the real PostgreSQL: the transfer
 * log's group transaction rests on these behaviours (docs/architecture.md#the-transfer-log, step 6).
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { copyAmong, queryTogether } from '../../src/database/one-message';
import { integerArrayText, sqlArray, sqlLiteral } from '../../src/database/sql-literals';
import { createTestDatabase } from '../support/database';

const LOCK = 0x7465_7374; // a lock of this test's own

describe('statements sent together in one message', () => {
  let database: { url: string; drop(): Promise<void> };
  const clients: Client[] = [];
  const connect = async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const setup = await connect();
    await setup.query('CREATE TABLE one_message_rows (n integer PRIMARY KEY, note text NOT NULL, bytes bytea)');
  });
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined);
    await database?.drop();
  });

  it('a read sent after a lock statement sees what the lock holder committed before letting go; in the lock statement itself it would not', async () => {
    const holder = await connect();
    const waiting = async (count: number) => {
      const sql = `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = ${LOCK}
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      await waitUntil(async () => (await holder.query<{ n: number }>(sql)).rows[0].n === count);
    };
    const commitWhileOneWaits = async <T>(n: number, send: () => Promise<T>): Promise<T> => {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${LOCK})`);
      await holder.query(`INSERT INTO one_message_rows (n, note) VALUES (${n}, 'committed while the other waited')`);
      const answer = send();
      await waiting(1);
      await holder.query('COMMIT');
      return answer;
    };

    const waiter = await connect();
    const answers = await commitWhileOneWaits(1, () =>
      queryTogether(waiter, ['BEGIN', `SELECT pg_advisory_xact_lock(${LOCK})`, 'SELECT count(*)::int AS n FROM one_message_rows WHERE n < 10']),
    );
    expect(answers.map((a) => a.command)).toEqual(['BEGIN', 'SELECT', 'SELECT']);
    expect(answers[2].rows[0].n).toBe(1);
    await waiter.query('COMMIT');

    // Control: a read in the same statement as the lock (its transaction-scoped lock ends with the statement) has the
    // statement's snapshot, from before the wait.
    const inOne = await commitWhileOneWaits(2, () =>
      waiter.query<{ n: number }>(`SELECT pg_advisory_xact_lock(${LOCK}) IS NULL AS locked, (SELECT count(*)::int FROM one_message_rows WHERE n < 10) AS n`),
    );
    expect(inOne.rows[0].n).toBe(1);
  });

  it('writes every value through a literal and reads the same value back', async () => {
    const client = await connect();
    const texts = ["it's", 'back\\slash', '"quoted", {braced}', "E'\\x00'", 'émoji 🙂 and 中文', ''];
    const bytes = [randomBytes(32), Buffer.alloc(0), Buffer.from("'\\")];
    const [read] = await queryTogether(client, [
      `SELECT ${sqlArray(texts, 'text')} AS texts, ${sqlArray(bytes, 'bytea')} AS bytes, ${sqlLiteral(Number.MAX_SAFE_INTEGER)}::bigint::text AS big`,
    ]);
    expect(read.rows[0].texts).toEqual(texts);
    expect((read.rows[0].bytes as Buffer[]).map((b) => b.toString('hex'))).toEqual(bytes.map((b) => b.toString('hex')));
    expect(read.rows[0].big).toBe(String(Number.MAX_SAFE_INTEGER));
    expect(() => sqlLiteral('nul \u0000 inside')).toThrow(RangeError);
    expect(() => sqlLiteral(0.5)).toThrow(RangeError);
    expect(() => sqlLiteral(2 ** 53)).toThrow(RangeError);
    expect(() => sqlArray([], 'text; DROP TABLE one_message_rows')).toThrow(RangeError);
  });

  it('passes integers as one array text to a bigint[] parameter, and refuses what is not a safe integer', async () => {
    const client = await connect();
    const values = [0, -1, 7, Number.MAX_SAFE_INTEGER];
    const read = await client.query('SELECT $1::bigint[]::text[] AS big, $2::smallint[] AS empty', [integerArrayText(values), integerArrayText([])]);
    expect(read.rows[0].big).toEqual(values.map(String));
    expect(read.rows[0].empty).toEqual([]);
    expect(() => integerArrayText([1.5])).toThrow(RangeError);
    expect(() => integerArrayText([Number.NaN])).toThrow(RangeError);
    expect(() => integerArrayText([2 ** 53])).toThrow(RangeError);
  });

  it('a COPY sent with its data and the statements around it: all or nothing, and the connection is usable after an error before or inside the COPY', async () => {
    const client = await connect();
    const copy = 'COPY one_message_rows (n, note) FROM STDIN (FORMAT text)';
    const tags = await copyAmong(client, ['BEGIN'], copy, Buffer.from('10\tten\n11\televen\n'), [
      `INSERT INTO one_message_rows (n, note) VALUES (12, 'twelve')`,
      'COMMIT',
    ]);
    expect(tags).toEqual(['BEGIN', 'COPY 2', 'INSERT 0 1', 'COMMIT']);

    // An error before the COPY: the data that follows is dropped, nothing after the error runs.
    await expect(copyAmong(client, ['BEGIN', 'SELECT 1 / 0'], copy, Buffer.from('20\ttwenty\n'), ['COMMIT'])).rejects.toMatchObject({ code: '22012' });
    await client.query('ROLLBACK');
    // An error inside the COPY (a duplicate key): nothing of the message is written.
    await expect(copyAmong(client, ['BEGIN'], copy, Buffer.from('21\ttwenty-one\n10\tagain\n'), ['COMMIT'])).rejects.toMatchObject({ code: '23505' });
    await client.query('ROLLBACK');
    const { rows } = await client.query<{ n: number }>('SELECT n FROM one_message_rows WHERE n >= 10 ORDER BY n');
    expect(rows.map((r) => r.n)).toEqual([10, 11, 12]);
  });
});

async function waitUntil(done: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 30_000; await new Promise((r) => setTimeout(r, 20))) if (await done()) return;
  throw new Error('timed out');
}
