/**
 * Runs an embedded PostgreSQL for the test run in its own process (jest cannot
 * load the ES-module package inside its sandbox). Prints `READY <url>` once up;
 * stops the cluster when its stdin closes, so a crashed jest never leaves it behind.
 */
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const db = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'postgres', ephemeral: true });
  process.stdout.write(`READY ${db.url}\n`);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await db.stop().catch(() => undefined);
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
