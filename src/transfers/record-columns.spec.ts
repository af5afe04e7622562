import fc from 'fast-check';
import { BinaryCopyWriter } from '../database/binary-copy';
import { TRANSFER_LEAF_SCHEMA_V1, TransferLeafV1 } from './domain/transfer-leaf';
import { leavesOfRows, RecordSource, ViewRow, writeRecordRow, writeRecordRowByColumns } from './record-columns';
import { instantMicros, leafColumnMismatches, leafColumnMismatchesByColumns, rowAgreesWithLeaf, toView, toViewByColumns } from './record-reads';

const uuid = fc.oneof(fc.uuid(), fc.constantFrom('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'));
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"\\\n\u001f\u2028', '灣區', 'x'.repeat(300)),
);
const texts = fc.array(text, { maxLength: 4 });
const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const count = fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER));

const source: fc.Arbitrary<RecordSource> = fc.record({
  leaf: fc.record({
    schema: fc.constant(TRANSFER_LEAF_SCHEMA_V1),
    contractId: uuid,
    contractVersion: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    processorId: uuid,
    recipientId: uuid,
    occurredAt: instant,
    recordedAt: instant,
    direction: fc.constantFrom<TransferLeafV1['direction'][]>('MAINLAND_TO_HK', 'HK_TO_MAINLAND', 'MAINLAND_TO_MACAO', 'MACAO_TO_MAINLAND'),
    dataSubjectCount: count,
    recordCount: count,
    personalInformationCategories: texts,
    sensitiveCategories: texts,
    purposes: texts,
    transferMethod: text,
    separateConsentObtained: fc.boolean(),
    onwardRecipient: fc.option(fc.record({ name: text, city: text }), { nil: null }),
    payloadDigest: text,
    externalReference: text,
    flags: texts,
    submittedBy: fc.record({
      organisationId: uuid,
      principalType: fc.constantFrom<TransferLeafV1['submittedBy']['principalType'][]>('user', 'service_account'),
      principalId: uuid,
    }),
  }),
  processorJurisdiction: fc.constantFrom('HK', 'MO', 'GD'),
  recipientJurisdiction: fc.constantFrom('HK', 'MO', 'GD'),
  sector: text,
});

describe('writeRecordRow', () => {
  it('writes the bytes of the loop over RECORD_COLUMNS, row after row, and the same leaf hashes and index positions', () => {
    fc.assert(
      fc.property(fc.array(source, { minLength: 1, maxLength: 6 }), (rows) => {
        const written = new BinaryCopyWriter(64);
        const byColumns = new BinaryCopyWriter(64);
        for (const row of rows) {
          const a = writeRecordRow(written, row);
          const b = writeRecordRowByColumns(byColumns, row);
          expect(a.leafIndexAt).toBe(b.leafIndexAt);
          expect(a.leafHash.equals(b.leafHash)).toBe(true);
        }
        expect(written.finish().equals(byColumns.finish())).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('fails where the loop fails: a count that is not a safe integer', () => {
    const bad = fc.sample(source, { numRuns: 1, seed: 7 })[0];
    const row = { ...bad, leaf: { ...bad.leaf, recordCount: 2 ** 60 } };
    expect(() => writeRecordRowByColumns(new BinaryCopyWriter(), row)).toThrow(RangeError);
    expect(() => writeRecordRow(new BinaryCopyWriter(), row)).toThrow(RangeError);
  });
});

/** The row GET /transfers reads for a record (`VIEW_COLUMNS_SQL`), as node-postgres returns it: int8 as text, int4 as a number, arrays as JSON. */
function viewRowOf({ leaf, sector }: RecordSource, leafIndex: number): Record<string, unknown> {
  return {
    leaf_index: String(leafIndex),
    sector,
    leaf: Buffer.from(JSON.stringify(leaf)),
    contract_id: leaf.contractId,
    contract_version: leaf.contractVersion,
    processor_id: leaf.processorId,
    recipient_id: leaf.recipientId,
    occurred_at_us: instantMicros(leaf.occurredAt),
    recorded_at_us: instantMicros(leaf.recordedAt),
    direction: leaf.direction,
    data_subject_count: String(leaf.dataSubjectCount),
    record_count: String(leaf.recordCount),
    personal_information_categories: [...leaf.personalInformationCategories],
    sensitive_categories: [...leaf.sensitiveCategories],
    purposes: [...leaf.purposes],
    transfer_method: leaf.transferMethod,
    separate_consent_obtained: leaf.separateConsentObtained,
    onward_recipient_name: leaf.onwardRecipient?.name ?? null,
    onward_recipient_city: leaf.onwardRecipient?.city ?? null,
    payload_digest: leaf.payloadDigest,
    external_reference: leaf.externalReference,
    flags: [...leaf.flags],
    submitted_by_organisation_id: leaf.submittedBy.organisationId,
    submitted_by: leaf.submittedBy.principalId,
  };
}

/** What a rewrite may leave in a column or a leaf member: another value of any type, or none. */
const otherValue = fc.oneof(
  fc.constantFrom(null, undefined, '', 'x', 0, 1, -1, true, false, [], ['x'], {}, { name: 'x', city: 'y' }, '0', '1000'),
  text,
  uuid,
  instant,
  count,
  texts,
);

describe('rowAgreesWithLeaf and toView: the loops over RECORD_COLUMNS written out', () => {
  it('agree with the loops on a row that repeats its leaf', () => {
    fc.assert(
      fc.property(source, fc.nat(), (record, leafIndex) => {
        const row = viewRowOf(record, leafIndex);
        expect(rowAgreesWithLeaf(row, record.leaf)).toBe(true);
        expect(leafColumnMismatchesByColumns(row, record.leaf)).toEqual([]);
        const view = toView(row as ViewRow, record.leaf);
        expect(Object.keys(view)).toEqual(Object.keys(toViewByColumns(row as ViewRow, record.leaf)));
        expect(JSON.stringify(view)).toBe(JSON.stringify(toViewByColumns(row as ViewRow, record.leaf)));
      }),
      { numRuns: 1000 },
    );
  });

  it('find a difference exactly where the loop names one: any column rewritten, to any value', () => {
    fc.assert(
      fc.property(source, fc.nat(24), otherValue, (record, which, value) => {
        const row = viewRowOf(record, 7);
        const checked = Object.keys(row).filter((c) => !['leaf_index', 'sector', 'leaf'].includes(c));
        const column = checked[which % checked.length];
        row[column] = value;
        const members = leafColumnMismatchesByColumns(row, record.leaf);
        expect(rowAgreesWithLeaf(row, record.leaf)).toBe(members.length === 0);
        expect(leafColumnMismatches(row, record.leaf)).toEqual(members);
      }),
      { numRuns: 5000 },
    );
  });

  it('find a difference exactly where the loop names one: any leaf member rewritten, removed or given another type', () => {
    const members = Object.keys(fc.sample(source, 1)[0].leaf);
    fc.assert(
      fc.property(source, fc.nat(members.length - 1), fc.option(otherValue, { nil: 'remove' as const }), (record, which, value) => {
        const row = viewRowOf(record, 7);
        const leaf: Record<string, unknown> = { ...record.leaf };
        if (value === 'remove') delete leaf[members[which]];
        else leaf[members[which]] = value;
        const named = leafColumnMismatchesByColumns(row, leaf as unknown as TransferLeafV1);
        expect(rowAgreesWithLeaf(row, leaf as unknown as TransferLeafV1)).toBe(named.length === 0);
        const byColumns = (() => {
          try {
            return JSON.stringify(toViewByColumns(row as ViewRow, leaf as unknown as TransferLeafV1));
          } catch (error) {
            return error instanceof TypeError ? 'TypeError' : 'other';
          }
        })();
        const written = (() => {
          try {
            return JSON.stringify(toView(row as ViewRow, leaf as unknown as TransferLeafV1));
          } catch (error) {
            return error instanceof TypeError ? 'TypeError' : 'other';
          }
        })();
        expect(written).toBe(byColumns);
      }),
      { numRuns: 5000 },
    );
  });

  it('name the members as the loop names them when a row disagrees: the same list, in the same order', () => {
    const record = fc.sample(source, { numRuns: 1, seed: 11 })[0];
    const row = viewRowOf(record, 7);
    row.flags = ['REWRITTEN'];
    row.contract_version = Number(row.contract_version) + 1;
    row.occurred_at_us = String(BigInt(row.occurred_at_us as string) + 1n);
    expect(leafColumnMismatches(row, record.leaf)).toEqual(['contractVersion', 'occurredAt', 'flags']);
  });
});

describe('leavesOfRows', () => {
  // parseTransferBody refuses U+0000 and unpaired surrogates: every leaf of a batch is Unicode text without them.
  // eslint-disable-next-line no-control-regex -- deliberate: U+0000
  const unclean = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  const clean = (value: unknown): boolean =>
    typeof value === 'string'
      ? !unclean.test(value)
      : Array.isArray(value)
        ? value.every(clean)
        : typeof value === 'object' && value !== null
          ? Object.values(value).every(clean)
          : true;

  it('reads back the leaves of the rows written, in order, member for member', () => {
    fc.assert(
      fc.property(fc.array(source.filter(clean), { minLength: 1, maxLength: 6 }), (rows) => {
        const out = new BinaryCopyWriter(64);
        for (const row of rows) writeRecordRow(out, row);
        expect(leavesOfRows(out.tuples())).toEqual(rows.map((row) => row.leaf));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('instantMicros: a leaf instant as the column reads it, in microseconds since the epoch', () => {
  it('writes what PostgreSQL writes for the same instant', () => {
    expect(instantMicros('2025-02-01T00:00:00.081Z')).toBe('1738368000081000');
    expect(instantMicros('1970-01-01T00:00:00.000Z')).toBe('0');
    expect(instantMicros('1969-12-31T23:59:58.081Z')).toBe('-1919000');
  });

  it('is null for anything but the form the registry writes into a leaf', () => {
    for (const member of ['2025-02-01T00:00:00Z', '2025-02-01T08:00:00.000+08:00', '2025-02-01', 'not a date', 1738368000081, null, undefined]) {
      expect(instantMicros(member)).toBeNull();
    }
  });

  /** The definition, by the platform's own parser and printer. */
  const byDate = (member: string): string | null => {
    const ms = Date.parse(member);
    if (Number.isNaN(ms) || new Date(ms).toISOString() !== member) return null;
    return (BigInt(ms) * 1000n).toString();
  };

  it('agrees with Date.parse and toISOString on every instant of years 0000 to 9999', () => {
    const any = fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(
      fc.property(
        fc.oneof(
          instant,
          any.map((d) => d.toISOString()),
        ),
        (iso) => expect(instantMicros(iso)).toBe(byDate(iso)),
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with them on near misses: one character of a valid instant changed, and impossible dates', () => {
    const changed = fc
      .tuple(instant, fc.nat(23), fc.constantFrom(...'0123456789-:.TZ+ x'.split('')))
      .map(([iso, at, character]) => iso.slice(0, at) + character + iso.slice(at + 1));
    fc.assert(
      fc.property(changed, (member) => expect(instantMicros(member)).toBe(byDate(member))),
      { numRuns: 5000 },
    );
    for (const member of [
      '2025-02-29T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2025-04-31T00:00:00.000Z',
      '2025-12-31T24:00:00.000Z',
      '2025-12-31T23:60:00.000Z',
    ]) {
      expect(instantMicros(member)).toBe(byDate(member));
    }
  });
});
