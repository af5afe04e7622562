import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory';
import { AuthService } from './auth/auth.service';
import { signInHint } from './auth/initial-administrator';
import { ConfigError, loadConfig, RegistryConfig } from './config/config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { runMigrations } from './database/migrate';

async function main(): Promise<void> {
  let config: RegistryConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  let app: NestFastifyApplication | undefined;
  try {
    if (!databaseUrl) {
      process.stdout.write(`starting embedded PostgreSQL in ${config.dataDir}/pg on port ${config.embeddedPostgresPort}\n`);
      embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPostgresPort, database: 'registry' });
      databaseUrl = embedded.url;
    }
    const applied = await runMigrations(databaseUrl);
    if (applied.length) process.stdout.write(`applied migrations: ${applied.join(', ')}\n`);
    app = await createApp(config, databaseUrl);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // Leave nothing running that this process started: its own embedded PostgreSQL and its lock.
    await app?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
  const address = `http://${config.host}:${config.port}`;
  const initialAdministrator = app.get(AuthService).initialAdministrator;
  // One write, so that whoever waits for the listening line also has the sign-in lines with it.
  process.stdout.write(
    `GBA registry listening on ${address} (API docs ${address}/docs, console ${address}/console)\n` +
      (initialAdministrator ? signInHint(initialAdministrator, address) : ''),
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app?.close();
    } finally {
      await embedded?.stop();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  // One line naming what stopped the start (a held data directory, a port in use, an unreachable database…).
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`startup failed: ${reason.split('\n')[0]}\n`);
  process.exit(1);
});
