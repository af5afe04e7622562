import fc from 'fast-check';
import { instantInRange, isInstantOrCalendarDate, normaliseInstant, parseTransferBody } from './transfer-records';
import { sampleTransfer } from './sample-transfer.fixture';

const good = () => ({
  contractId: '0B0A2A52-8C1F-4A57-9B43-1E0E6A3E9F10',
  occurredAt: '2025-02-01T11:00:00+08:00',
  ...sampleTransfer(),
  payloadDigest: 'AB'.repeat(32),
  externalReference: 'batch-1',
});

const fields = (body: unknown): string[] => {
  const result = parseTransferBody(body);
  return 'errors' in result ? result.errors.map((e) => e.field) : [];
};

const errorsOf = (body: unknown): Array<{ field: string; rule: string }> => {
  const result = parseTransferBody(body);
  return 'errors' in result ? result.errors.map(({ field, rule }) => ({ field, rule })) : [];
};

describe('parseTransferBody', () => {
  it('normalises a valid record: UTC milliseconds, lower-case ids and digest, onwardRecipient null', () => {
    const result = parseTransferBody({ records: [good()] });
    expect('records' in result && result.records[0]).toEqual({
      ...good(),
      contractId: '0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10',
      occurredAt: '2025-02-01T03:00:00.000Z',
      payloadDigest: 'ab'.repeat(32),
      onwardRecipient: null,
    });
  });

  it('gives members a fixed order whatever the input order', () => {
    const reversed = Object.fromEntries(Object.entries(good()).reverse());
    expect(JSON.stringify(parseTransferBody({ records: [reversed] }))).toBe(JSON.stringify(parseTransferBody({ records: [good()] })));
  });

  it('names every bad field by path, and only those', () => {
    expect(
      fields({
        records: [
          good(),
          { ...good(), direction: 'SIDEWAYS', payloadDigest: 'xyz', sensitiveCategories: ['HEALTH'], extra: 1, onwardRecipient: { name: '', city: 'x' } },
          { ...good(), personalInformationCategories: ['IDENTITY', 'IDENTITY'], dataSubjectCount: -1, recordCount: 1.5, separateConsentObtained: 'yes' },
        ],
      }).sort(),
    ).toEqual(
      [
        'records[1].direction',
        'records[1].payloadDigest',
        'records[1].sensitiveCategories',
        'records[1].extra',
        'records[1].onwardRecipient.name',
        'records[1].onwardRecipient.city',
        'records[2].personalInformationCategories',
        'records[2].dataSubjectCount',
        'records[2].recordCount',
        'records[2].separateConsentObtained',
      ].sort(),
    );
  });

  it('refuses bodies that are not {records:[1..10000]}', () => {
    expect(fields([])).toEqual(['body']);
    expect(fields({ records: [] })).toEqual(['records']);
    expect(fields({ records: new Array(10_001).fill(good()) })).toEqual(['records']);
    expect(fields({ records: [good()], more: true })).toEqual(['more']);
    expect(fields({ records: [null] })).toEqual(['records[0]']);
  });

  it('counts a surrogate pair as one character, as the DTO does (docs/api.md#free-text)', () => {
    const emoji = '\uD83D\uDE00';
    expect(fields({ records: [{ ...good(), transferMethod: emoji.repeat(500), externalReference: emoji.repeat(200) }] })).toEqual([]);
    expect(fields({ records: [{ ...good(), transferMethod: emoji.repeat(501), externalReference: emoji.repeat(201) }] })).toEqual([
      'records[0].transferMethod',
      'records[0].externalReference',
    ]);
  });

  it("refuses a contractId @IsUUID('all') refuses (version 0 or 9, another variant)", () => {
    for (const contractId of ['0b0a2a52-8c1f-0a57-9b43-1e0e6a3e9f10', '0b0a2a52-8c1f-9a57-9b43-1e0e6a3e9f10', '0b0a2a52-8c1f-4a57-cb43-1e0e6a3e9f10'])
      expect(fields({ records: [{ ...good(), contractId }] })).toEqual(['records[0].contractId']);
  });

  it('names a control character in purposes by its item', () => {
    expect(errorsOf({ records: [{ ...good(), purposes: ['ok', 'bell\u0007'] }] })).toEqual([{ field: 'records[0].purposes[1]', rule: 'noControlCharacters' }]);
  });

  it('accepts onwardRecipient as absent, null or {name, city}', () => {
    const { onwardRecipient: _omit, ...rest } = { ...good(), onwardRecipient: null };
    expect(fields({ records: [rest, { ...good(), onwardRecipient: null }, { ...good(), onwardRecipient: { name: 'X', city: 'BEIJING' } }] })).toEqual([]);
  });
});

describe('parseTransferBody: text PostgreSQL cannot store', () => {
  const bad = ['a\u0000b', '\u0000', 'x\uD800', '\uD800y', '\uDC00', 'a\uDE00\uD83D', 'ok\uD83D\uDE00\uDE00'];

  it.each(bad)('refuses %j in every free-text field, naming it (rule isCleanText)', (text) => {
    expect(
      errorsOf({
        records: [
          good(),
          {
            ...good(),
            transferMethod: text,
            externalReference: text,
            purposes: ['credit assessment', text],
            onwardRecipient: { name: text, city: 'GUANGZHOU' },
          },
        ],
      }),
    ).toEqual([
      { field: 'records[1].purposes', rule: 'isCleanText' },
      { field: 'records[1].transferMethod', rule: 'isCleanText' },
      { field: 'records[1].onwardRecipient.name', rule: 'isCleanText' },
      { field: 'records[1].externalReference', rule: 'isCleanText' },
    ]);
  });

  it('accepts paired surrogates and other non-ASCII text', () => {
    const text = '灣區 😀 e\u0301 \uD83D\uDE00';
    expect(
      fields({ records: [{ ...good(), transferMethod: text, externalReference: text, purposes: [text], onwardRecipient: { name: text, city: 'GUANGZHOU' } }] }),
    ).toEqual([]);
  });
});

describe('parseTransferBody: occurredAt PostgreSQL can hold', () => {
  it.each([
    '0001-01-01T00:00:00+08:00', // year 0 in UTC: PostgreSQL has no year 0
    '0000-06-01T00:00:00Z',
    '0000-12-31T23:59:59+01:00',
    '9999-12-31T23:00:00-08:00', // year 10000 in UTC
    '9999-12-31T20:00:00Z', // year 10000 in the GBA (UTC+8), whose calendar date the flags use
  ])('refuses %s, naming records[0].occurredAt', (occurredAt) => {
    expect(errorsOf({ records: [{ ...good(), occurredAt }] })).toEqual([{ field: 'records[0].occurredAt', rule: 'instantRange' }]);
  });

  it.each([
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0001-01-01T08:00:00+08:00', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999+08:00', '9999-12-31T15:59:59.999Z'],
  ])('accepts %s at the edge', (occurredAt, stored) => {
    const result = parseTransferBody({ records: [{ ...good(), occurredAt }] });
    expect('records' in result && result.records[0].occurredAt).toBe(stored);
  });
});

describe('isInstantOrCalendarDate (GET /transfers from/to)', () => {
  it.each([
    '2025-03-01T02:00:00Z',
    '2025-03-01T10:00:00+08:00',
    '2025-03-01T10:00:00.123456-05:30',
    '2024-02-29',
    '0001-01-01',
    '9999-12-31',
    '2025-03-01T02:00:00.5Z',
  ])('accepts %s', (value) => expect(isInstantOrCalendarDate(value)).toBe(true));

  it.each([
    '2025',
    '2025-01',
    '2025-W01',
    '2025-W01-1',
    '2025-001',
    '2025-01-01T10',
    '2025-01-01T10:00',
    '2025-01-01T10:00:00',
    '2025-01-01 10:00:00Z',
    '20250101',
    '2025-01-01T10:00:00+0800',
    '2025-01-01T10:00:00+08',
    '2025-01-01T24:00:00Z',
    '2025-01-01T23:59:60Z',
    '2025-02-29',
    '2025-13-01',
    '0000-01-01',
    '0000-01-01T00:00:00Z',
    '+012025-01-01',
    '',
  ])('refuses %s', (value) => expect(isInstantOrCalendarDate(value)).toBe(false));
});

describe('normaliseInstant', () => {
  it.each([
    ['2025-02-01T03:00:00Z', '2025-02-01T03:00:00.000Z'],
    ['2025-02-01T03:00Z', '2025-02-01T03:00:00.000Z'],
    ['2025-02-01T11:00:00.123456+08:00', '2025-02-01T03:00:00.123Z'],
    ['2024-02-29T00:00:00-01:00', '2024-02-29T01:00:00.000Z'],
  ])('%s → %s', (input, output) => expect(normaliseInstant(input)).toBe(output));

  it.each(['2025-02-01T03:00:00', '2025-02-01', '2025-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2025-13-01T00:00:00Z', '2025-02-01T24:00:00Z', 'yesterday'])(
    'refuses %s',
    (input) => expect(normaliseInstant(input)).toBeNull(),
  );

  it('gives an instant already in the normalised form back as Date gives it, or refuses it as the general rules do', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const form = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), two(13), two(32), two(25), two(60), two(60), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${String(y).padStart(4, '0')}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}Z`);
    fc.assert(
      fc.property(form, (value) => {
        const [, month, day, hour, minute, second] = value.split(/[-T:.]/).map(Number);
        const real =
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          hour <= 23 &&
          minute <= 59 &&
          second <= 59 &&
          !Number.isNaN(Date.parse(value)) &&
          new Date(value).toISOString() === value;
        expect(normaliseInstant(value)).toBe(real ? value : null);
      }),
    );
  });
});

describe('instantInRange', () => {
  it('accepts exactly the instants from year 1 to 9999-12-31T23:59:59.999 in UTC+8', () => {
    const [earliest, latest] = [Date.parse('0001-01-01T00:00:00.000Z'), Date.parse('9999-12-31T15:59:59.999Z')];
    fc.assert(
      fc.property(fc.integer({ min: earliest - 10 * 86_400_000, max: latest + 10 * 86_400_000 }), (ms) => {
        expect(instantInRange(new Date(ms).toISOString())).toBe(ms >= earliest && ms <= latest);
      }),
    );
    expect([earliest - 1, earliest, latest, latest + 1].map((ms) => instantInRange(new Date(ms).toISOString()))).toEqual([false, true, true, false]);
  });
});
