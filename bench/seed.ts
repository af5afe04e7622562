/**
 * The parties of a run, made through the API as an administrator would: a regulator, ten processors
 * with their recipients, filers and service accounts, and CONTRACTS contracts; and the tokens the
 * run uses, re-minted before they expire.
 */
import { contractBody } from './common';
import { ADMIN, Api, CONTRACTS, log } from './registry';
import { makeValidUscc } from '../src/organisations/identifiers';

export interface Seed {
  /** When the tokens below were minted; `keepTokensFresh` re-mints them before they expire (a 10M run outlives a 15-minute token). */
  mintedAt: number;
  credentials: Credentials;
  adminToken: string;
  regulatorToken: string;
  processorTokens: string[];
  contractIds: string[];
  contractProcessor: number[];
  processorIds: string[];
  recipientIds: string[];
  filerTokenByProcessor: Map<string, string>;
}

export interface Credentials {
  regulator: { email: string; password: string };
  filers: Array<{ processorId: string; userId: string; email: string; password: string }>;
  serviceAccounts: Array<{ clientId: string; clientSecret: string }>;
}

/** Tokens live JWT_TTL_SECONDS (default 900 s): re-mint at half that, as a real logging client refreshes its token. */
const TOKEN_REFRESH_MS = (Number(process.env.JWT_TTL_SECONDS) || 900) * 500;

async function password(api: Api, email: string, secret: string): Promise<string> {
  return (await api.ok<{ accessToken: string }>('POST', '/auth/token', null, { grantType: 'password', email, password: secret })).accessToken;
}

async function clientCredentials(api: Api, clientId: string, clientSecret: string): Promise<string> {
  return (await api.ok<{ accessToken: string }>('POST', '/auth/token', null, { grantType: 'client_credentials', clientId, clientSecret })).accessToken;
}

let refreshing: Promise<void> | null = null;

/** Re-mints every token of the seed when they are past half their lifetime (one refresh at a time). */
export async function keepTokensFresh(api: Api, seedData: Seed): Promise<void> {
  if (Date.now() - seedData.mintedAt < TOKEN_REFRESH_MS) return;
  refreshing ??= (async () => {
    const { credentials } = seedData;
    seedData.adminToken = await password(api, ADMIN.email, ADMIN.password);
    seedData.regulatorToken = await password(api, credentials.regulator.email, credentials.regulator.password);
    for (const filer of credentials.filers) seedData.filerTokenByProcessor.set(filer.processorId, await password(api, filer.email, filer.password));
    for (const [i, account] of credentials.serviceAccounts.entries())
      seedData.processorTokens[i] = await clientCredentials(api, account.clientId, account.clientSecret);
    seedData.mintedAt = Date.now();
    log('tokens re-minted');
  })().finally(() => {
    refreshing = null;
  });
  await refreshing;
}

export async function seed(api: Api): Promise<Seed> {
  const mintedAt = Date.now();
  const adminToken = await password(api, ADMIN.email, ADMIN.password);
  const secret = 'bench-user-password-0001';
  const credentials: Credentials = { regulator: { email: 'regulator@gdcac.bench', password: secret }, filers: [], serviceAccounts: [] };
  await api.ok('POST', '/users', adminToken, { ...credentials.regulator, role: 'REGULATOR', authority: 'GD_CAC' });
  const regulatorToken = await password(api, credentials.regulator.email, secret);
  const processors = 10;
  const processorIds: string[] = [];
  const recipientIds: string[] = [];
  const processorTokens: string[] = [];
  const filerTokenByProcessor = new Map<string, string>();
  for (let p = 0; p < processors; p++) {
    const processor = await api.ok<{ id: string }>('POST', '/organisations', adminToken, {
      legalName: `Bench Bank ${p} (Shenzhen)`,
      jurisdiction: 'MAINLAND',
      city: 'SHENZHEN',
      identifierType: 'USCC',
      identifier: makeValidUscc(4_000_000 + p),
      sector: 'BANKING',
    });
    const recipient = await api.ok<{ id: string }>('POST', '/organisations', adminToken, {
      legalName: `Bench Bank ${p} (Hong Kong)`,
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HK_BRN',
      identifier: String(70_000_000 + p),
      sector: 'BANKING',
    });
    processorIds.push(processor.id);
    recipientIds.push(recipient.id);
    const email = `filer${p}@bench.example`;
    const filer = await api.ok<{ id: string }>('POST', '/users', adminToken, { email, password: secret, role: 'ORG_FILER', organisationId: processor.id });
    credentials.filers.push({ processorId: processor.id, userId: filer.id, email, password: secret });
    filerTokenByProcessor.set(processor.id, await password(api, email, secret));
    const account = await api.ok<{ clientId: string; clientSecret: string }>('POST', `/organisations/${processor.id}/service-accounts`, adminToken, {
      name: `bench-logger-${p}`,
    });
    credentials.serviceAccounts.push({ clientId: account.clientId, clientSecret: account.clientSecret });
    processorTokens.push(await clientCredentials(api, account.clientId, account.clientSecret));
  }
  const contractIds: string[] = [];
  const contractProcessor: number[] = [];
  for (let c = 0; c < CONTRACTS; c++) {
    const p = c % processors;
    const contract = await api.ok<{ id: string }>(
      'POST',
      '/contracts',
      filerTokenByProcessor.get(processorIds[p])!,
      contractBody(processorIds[p], recipientIds[p]),
    );
    contractIds.push(contract.id);
    contractProcessor.push(p);
  }
  return {
    mintedAt,
    credentials,
    adminToken,
    regulatorToken,
    processorTokens,
    contractIds,
    contractProcessor,
    processorIds,
    recipientIds,
    filerTokenByProcessor,
  };
}

/** What every phase of a run works on: the bench database (as its owner), the registry's API and the seeded parties. */
export interface RunContext {
  ownerUrl: string;
  api: Api;
  /** The port of the registry process the phases talk to (restarted on the same port). */
  port: number;
  seedData: Seed;
  /** The registry process of the ingestion phase, whose CPU per record the bench reports (bench/cpu.ts). */
  registryPid?: number;
}
