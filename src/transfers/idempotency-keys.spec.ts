import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { parseTransferBody, TransferRecordInput } from './domain/transfer-records';
import { sampleTransfer } from './domain/sample-transfer.fixture';
import { recordsHash, requestKey } from './idempotency-keys';

/** `count` validated records, each with its own reference (some long and non-ASCII, so pieces split anywhere). */
function records(count: number, reference: (i: number) => string): TransferRecordInput[] {
  const body = {
    records: Array.from({ length: count }, (_, i) => ({
      ...sampleTransfer(),
      contractId: '7D3F0C2A-03E8-4A1B-8C2D-0E1F2A3B4C5D',
      occurredAt: `2025-02-01T0${i % 10}:00:00+08:00`,
      onwardRecipient: i % 3 ? null : { name: 'Bay Area Credit Bureau Ltd', city: 'guangzhou' },
      payloadDigest: createHash('sha256').update(String(i)).digest('hex'),
      externalReference: reference(i),
    })),
  };
  const parsed = parseTransferBody(body);
  if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors));
  return parsed.records;
}

describe('the request hash of an Idempotency-Key', () => {
  it('is SHA-256 of the validated records as JSON, the hash stored keys were made with', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }), { minLength: 1 }),
        (count, texts) => {
          const recs = records(count, (i) => texts[i % texts.length].replace(/[\p{Cc}\p{Cf}]/gu, '') || 'x');
          expect(recordsHash(recs).equals(createHash('sha256').update(JSON.stringify(recs)).digest())).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('is unchanged for a known body (keys stored before keep answering their retries)', () => {
    const key = requestKey(
      'retry-1',
      records(3, (i) => `order-${i}`),
    );
    expect(key?.requestHash.toString('hex')).toBe(KNOWN);
  });
});

const KNOWN = '4765c0999afdc32f54a76afd5c3758b82f3d894ad09028ff12b5ccff0d8af1a1';
