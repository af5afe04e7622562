/** Pieces both benchmarks use (`run.ts`, `filing.ts`). */
import { createHash } from 'node:crypto';
import * as net from 'node:net';

export const CATEGORIES = ['BASIC_PROFILE', 'IDENTITY', 'PROPERTY_FINANCIAL'];
export const PURPOSES = ['cross-boundary account opening', 'credit assessment'];
export const METHOD = 'encrypted API over dedicated line';
export const EFFECTIVE = '2025-01-24';

/** A free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** DESIGN.md §4's example contract, Mainland processor → Hong Kong recipient. */
export function contractBody(processorId: string, recipientId: string): unknown {
  return {
    regime: 'GBA_MAINLAND_HK',
    processorId,
    recipientId,
    effectiveDate: EFFECTIVE,
    expiryDate: '2027-01-23',
    importantDataIncluded: false,
    annex: {
      purposes: PURPOSES,
      processingMethods: ['storage', 'use'],
      dataSubjectCategories: ['retail customers'],
      personalInformationCategories: CATEGORIES,
      sensitiveCategories: ['FINANCIAL_ACCOUNT'],
      onwardRecipients: [{ name: 'Guangzhou Branch', city: 'GUANGZHOU' }],
      transferMethod: METHOD,
      retentionPeriod: { from: EFFECTIVE, to: '2030-01-23' },
      storageLocation: { city: 'HONG_KONG' },
      otherMatters: '',
    },
    pipia: {
      completedOn: '2025-01-10',
      conclusion: 'risks acceptable with listed measures',
      reportSha256: createHash('sha256').update('pipia').digest('hex'),
    },
  };
}
