/**
 * Runs an embedded PostgreSQL in its own process (jest cannot load the ES-module package inside its sandbox).
 * Arguments: data directory, port and, optionally, a database. Without one (the test run's server, global-setup.ts)
 * the cluster is ephemeral; with one (the server the database-fault test stops and starts) its data directory
 * survives a stop, so it can be started again on the same data. Prints `READY <url>` once up; stops the cluster
 * (fast shutdown: sessions are terminated), prints `STOPPED` and exits when its stdin closes, so a crashed jest
 * never leaves it behind.
 */
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port, database] = process.argv.slice(2);
  const db = await startEmbeddedPostgres({ dataDir, port: Number(port), database: database ?? 'postgres', ephemeral: database === undefined });
  process.stdout.write(`READY ${db.url}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await db.stop().catch(() => undefined);
    process.stdout.write('STOPPED\n');
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((error) => {
  process.stderr.write(`embedded PostgreSQL failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
