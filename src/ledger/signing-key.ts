import { generateKeyPairSync, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RegistryConfig } from '../config/config';
import { loadSigningKey, privateKeySeed } from './domain/checkpoint';

export const SIGNING_KEY_FILE = 'ledger-signing-key';

/**
 * The checkpoint signing key: LEDGER_SIGNING_KEY in production (config refuses
 * to start without it); elsewhere generated once and kept in the data dir
 * (mode 0600) so that checkpoints stay verifiable across restarts.
 */
export function resolveSigningKey(config: Pick<RegistryConfig, 'ledgerSigningKey' | 'dataDir' | 'nodeEnv'>): KeyObject {
  if (config.ledgerSigningKey) return loadSigningKey(config.ledgerSigningKey);
  if (config.nodeEnv === 'production') throw new Error('LEDGER_SIGNING_KEY is required when NODE_ENV=production');
  const file = path.join(config.dataDir, SIGNING_KEY_FILE);
  try {
    return loadSigningKey(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    fs.writeFileSync(file, privateKeySeed(privateKey).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another instance sharing the data dir won the race: use its key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadSigningKey(fs.readFileSync(file, 'utf8'));
    throw error;
  }
  return privateKey;
}
