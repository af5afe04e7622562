import { startWitness, WitnessError, witnessSeed } from './witness';

/** `npm run witness`: a regulator's witness for the registry's transfer log (src/witness/witness.ts). */
async function main(): Promise<void> {
  const env = process.env;
  const name = env.WITNESS_NAME ?? '';
  const dataDir = env.WITNESS_DATA_DIR ?? '';
  if (!name) throw new WitnessError('WITNESS_NAME', 'is required (the witness key name, e.g. witness.gdcac.example/w1)');
  if (!dataDir) throw new WitnessError('WITNESS_DATA_DIR', 'is required (the directory of the witness state and key)');
  const rawPort = env.WITNESS_PORT ?? '';
  if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) < 1 || Number(rawPort) > 65535) throw new WitnessError('WITNESS_PORT', 'must be a port number 1-65535');
  const logs = (env.WITNESS_LOGS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const witness = await startWitness({
    name,
    dataDir,
    seed: witnessSeed(dataDir, env.WITNESS_KEY || undefined),
    logs,
    host: env.WITNESS_HOST || '127.0.0.1',
    port: Number(rawPort),
  });
  process.stdout.write(`witness ${name} listening on ${witness.url}/add-checkpoint\ncosigner verifier key: ${witness.verifierKey}\n`);
  const stop = (): void => void witness.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`witness: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
