/**
 * A PostgreSQL server the database-fault test controls: started on a data
 * directory that survives stops (not ephemeral), so the test can stop it
 * mid-load and start it again on the same data. Prints `READY <url>`; stops the
 * cluster (fast shutdown: sessions are terminated) when its stdin closes.
 */
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port, database] = process.argv.slice(2);
  const db = await startEmbeddedPostgres({ dataDir, port: Number(port), database });
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
}

main().catch((error) => {
  process.stderr.write(`PostgreSQL failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
