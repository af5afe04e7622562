import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJsonBytes } from '../../ledger/domain/canonical-json';
import { sampleTransfer } from './sample-transfer.fixture';
import { TRANSFER_LEAF_SCHEMA_V1, TransferLeafV1, transferLeafBytes, writeTransferLeaf } from './transfer-leaf';

const record: TransferLeafV1 = {
  schema: TRANSFER_LEAF_SCHEMA_V1,
  contractId: '0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10',
  contractVersion: 1,
  processorId: '11111111-1111-4111-8111-111111111111',
  recipientId: '22222222-2222-4222-8222-222222222222',
  occurredAt: '2025-02-01T03:00:00.000Z',
  recordedAt: '2025-02-01T03:00:01.250Z',
  ...sampleTransfer(),
  onwardRecipient: null,
  payloadDigest: 'ab'.repeat(32),
  externalReference: 'batch-2025-02-01-03',
  flags: [],
  submittedBy: {
    organisationId: '11111111-1111-4111-8111-111111111111',
    principalType: 'service_account',
    principalId: '33333333-3333-4333-8333-333333333333',
  },
};

describe('transfer leaf v1', () => {
  it('is RFC 8785 canonical JSON: members sorted, no whitespace', () => {
    const text = transferLeafBytes(record).toString('utf8');
    expect(text.startsWith('{"contractId":"0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10","contractVersion":1,"dataSubjectCount":120,')).toBe(true);
    expect(text).toContain('"onwardRecipient":null');
    expect(text).toContain(
      '"submittedBy":{"organisationId":"11111111-1111-4111-8111-111111111111","principalId":"33333333-3333-4333-8333-333333333333","principalType":"service_account"}',
    );
    expect(text).not.toMatch(/\s"|":\s/);
    expect(JSON.parse(text)).toEqual(record);
  });

  it('does not depend on member order', () => {
    const shuffled = Object.fromEntries(Object.entries(record).reverse()) as unknown as TransferLeafV1;
    expect(transferLeafBytes(shuffled).equals(transferLeafBytes(record))).toBe(true);
  });

  it('changes with any field, flags included', () => {
    const base = createHash('sha256').update(transferLeafBytes(record)).digest('hex');
    const flagged = createHash('sha256')
      .update(transferLeafBytes({ ...record, flags: ['PURPOSE_NOT_IN_SCOPE'] }))
      .digest('hex');
    expect(flagged).not.toBe(base);
  });

  it('refuses a missing member rather than dropping it', () => {
    expect(() => transferLeafBytes({ ...record, onwardRecipient: undefined as unknown as null })).toThrow(/undefined/);
  });

  it('writes the same bytes as the generic RFC 8785 serialiser, whatever the strings and numbers', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.constantFrom('"\\\n\u0000\u001f\u2028', '灣區'));
    const texts = fc.array(text, { maxLength: 4 });
    const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(
        text,
        text,
        number,
        number,
        texts,
        texts,
        fc.boolean(),
        fc.option(fc.record({ name: text, city: text }), { nil: null }),
        (a, b, n, m, xs, ys, consent, onward) => {
          const leaf = {
            ...record,
            externalReference: a,
            transferMethod: b,
            dataSubjectCount: n,
            recordCount: m,
            purposes: xs,
            flags: ys,
            separateConsentObtained: consent,
            onwardRecipient: onward,
          };
          let generic: Buffer | Error;
          try {
            generic = canonicalJsonBytes(leaf);
          } catch (error) {
            generic = error as Error;
          }
          if (generic instanceof Error) expect(() => transferLeafBytes(leaf)).toThrow(generic.message);
          else expect(transferLeafBytes(leaf).equals(generic)).toBe(true);
          // Written in place: the same bytes, and nothing outside them; or nothing at all (-1) and the text is used.
          const target = Buffer.alloc(8192, 0xee);
          const end = writeTransferLeaf(leaf, target, 7, 7 + 8000);
          if (end >= 0) {
            expect(generic instanceof Error ? generic : target.subarray(7, end).equals(generic)).toBe(true);
            expect(target.subarray(0, 7).every((b) => b === 0xee) && target.subarray(end).every((b) => b === 0xee)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes the same bytes when leaves one after another repeat the contract, the parties, the time or the submitter', () => {
    // The runs these members start are copied once written (writeTransferLeaf): drawn from a few values, odd ones included.
    const value = fc.oneof(
      fc.constantFrom<unknown>(record.contractId, record.processorId, 'MAINLAND_TO_HK', 'a"b\\c\n', '灣區', '\uD800', '', 7, null),
      fc.string({ maxLength: 3 }),
    );
    const runs = fc.record({
      contractId: value,
      direction: value,
      processorId: value,
      recipientId: value,
      recordedAt: value,
      schema: fc.constantFrom<unknown>(TRANSFER_LEAF_SCHEMA_V1, 'other'),
      organisationId: value,
      principalId: value,
      principalType: value,
      cut: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(
      fc.property(fc.array(runs, { minLength: 1, maxLength: 12 }), (leaves) => {
        const target = Buffer.alloc(8192);
        for (const { organisationId, principalId, principalType, cut, ...members } of leaves) {
          const leaf = { ...record, ...members, submittedBy: { organisationId, principalId, principalType } } as unknown as TransferLeafV1;
          let generic: Buffer | null;
          try {
            generic = canonicalJsonBytes(leaf);
          } catch {
            generic = null;
          }
          const end = writeTransferLeaf(leaf, target, 3, 3 + 8000);
          if (end >= 0) expect(generic !== null && target.subarray(3, end).equals(generic)).toBe(true);
          else
            expect(
              generic === null ||
                typeof members.contractId !== 'string' ||
                [...Object.values(members), organisationId, principalId, principalType].some((v) => typeof v !== 'string' || /[\uD800-\uDFFF]/.test(v)),
            ).toBe(true);
          // Without room for the last `cut` bytes: -1, and nothing written past the room given.
          if (end >= 0 && cut > 0) {
            target.fill(0xee, end - cut);
            expect(writeTransferLeaf(leaf, target, 3, end - cut)).toBe(-1);
            expect(target.subarray(end - cut).every((b) => b === 0xee)).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is written in place for an everyday leaf, and not at all without room for it', () => {
    const bytes = transferLeafBytes({ ...record, purposes: ['跨境開戶 "quoted"\n'] });
    const target = Buffer.alloc(bytes.length + 10);
    const leaf = { ...record, purposes: ['跨境開戶 "quoted"\n'] };
    expect(writeTransferLeaf(leaf, target, 5, 5 + bytes.length)).toBe(5 + bytes.length);
    expect(target.subarray(5, 5 + bytes.length).equals(bytes)).toBe(true);
    expect(writeTransferLeaf(leaf, target, 5, 5 + bytes.length - 1)).toBe(-1);
    expect(writeTransferLeaf({ ...leaf, extra: 1 } as TransferLeafV1, target, 0, target.length)).toBe(-1);
  });
});
