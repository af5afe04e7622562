/**
 * `POST /transfers` is validated by hand (parseTransferBody) for speed; CreateTransfersDto is the
 * declaration of its body (docs/architecture.md#request-validation). This spec runs the registry's
 * real ValidationPipe over CreateTransfersDto and parseTransferBody on the same bodies and asserts
 * that each accepts exactly when the other does and that, where both refuse, they name the same
 * fields. Pure: no database, no HTTP.
 *
 * One normalisation: a body that is not a JSON object is validated by the pipe as `{}` (it names
 * `records`, which is missing), while parseTransferBody names `body`; `body` is read as `records`.
 * Paths are compared as sets: the pipe names a field once per failed rule.
 */
import { DomainError } from '../../common/errors';
import { registryValidationPipe } from '../../common/validation';
import { PERSONAL_INFORMATION_CATEGORIES, SENSITIVE_CATEGORIES } from '../../contracts/domain/categories';
import { CreateTransfersDto } from '../transfer.dto';
import { MAX_RECORDS_PER_REQUEST, parseTransferBody, TRANSFER_RECORD_FIELDS } from './transfer-records';

type Json = unknown;
type Obj = Record<string, Json>;
type Verdict = 'accepted' | string[];

const pipe = registryValidationPipe();
/** What HTTP delivers: JSON, a fresh copy for each validator. */
const copy = (body: Json): Json => (body === undefined ? undefined : JSON.parse(JSON.stringify(body)));
// A list's item (`records[0].purposes[1]`, named by the hand validator) counts as the list the pipe names.
const pathsOf = (fields: string[]): string[] => [...new Set(fields.map((f) => (f === 'body' ? 'records' : f.replace(/(\.purposes)\[\d+\]$/, '$1'))))].sort();

async function viaPipe(body: Json): Promise<Verdict> {
  try {
    await pipe.transform(copy(body), { type: 'body', metatype: CreateTransfersDto, data: undefined });
    return 'accepted';
  } catch (error) {
    if (!(error instanceof DomainError) || !Array.isArray(error.options.errors)) throw error;
    return pathsOf(error.options.errors.map((e) => e.field));
  }
}

function byHand(body: Json): Verdict {
  const result = parseTransferBody(copy(body));
  return 'errors' in result ? pathsOf(result.errors.map((e) => e.field)) : 'accepted';
}

/** The bodies on which the two disagree, with both verdicts; [] when they agree on all. */
async function disagreements(bodies: Array<[string, Json]>): Promise<Array<{ label: string; hand: Verdict; pipe: Verdict }>> {
  const out: Array<{ label: string; hand: Verdict; pipe: Verdict }> = [];
  for (const [label, body] of bodies) {
    const hand = byHand(body);
    const viaDto = await viaPipe(body);
    if (JSON.stringify(hand) !== JSON.stringify(viaDto)) out.push({ label, hand, pipe: viaDto });
  }
  return out;
}

const record = (): Obj => ({
  contractId: '0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10',
  occurredAt: '2025-02-01T11:00:00+08:00',
  direction: 'MAINLAND_TO_HK',
  dataSubjectCount: 120,
  recordCount: 480,
  personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY'],
  sensitiveCategories: [],
  purposes: ['credit assessment'],
  transferMethod: 'encrypted API over dedicated line',
  separateConsentObtained: true,
  onwardRecipient: { name: 'Bay Area Credit Bureau Ltd', city: 'GUANGZHOU' },
  payloadDigest: 'ab'.repeat(32),
  externalReference: 'batch-2025-02-01-03',
});

const emoji = '\uD83D\uDE00';
/** Wrong (and a few right) values of every kind, tried on every member. */
const ANY_MEMBER: Json[] = [undefined, null, true, false, 0, -1, 1.5, '', 'x', [], ['x'], {}, { a: 1 }, 'a\u0000b', 'x\uD800'];
const text = (max: number): Json[] => [
  'x'.repeat(max),
  'x'.repeat(max + 1),
  emoji.repeat(max),
  emoji.repeat(max + 1),
  '\u2764\uFE0F'.repeat(max),
  '\uFE0F',
  'tab\tand\r\nbreaks',
  'bell\u0007',
  'del\u007F',
  'c1\u0085',
  '\uDC00x',
  `ok${emoji}`,
  '灣區',
  ['x'],
  7,
];
const instants = [
  '2025-02-01T03:00:00Z',
  '2025-02-01T03:00Z',
  '2025-02-01T03:00:00.123456789-05:30',
  '2025-02-01T03:00:00.1234567890Z',
  '2025-02-01T03:00:00',
  '2025-02-01T03:00:00+0800',
  '2025-02-01T03:00:00+08',
  '2025-02-01',
  '2025-02-01 03:00:00Z',
  '2025-02-01t03:00:00z',
  ' 2025-02-01T03:00:00Z',
  '2024-02-29T00:00:00Z',
  '2025-02-29T00:00:00Z',
  '2025-04-31T00:00:00Z',
  '2025-13-01T00:00:00Z',
  '2025-00-10T00:00:00Z',
  '2025-01-01T24:00:00Z',
  '2025-01-01T23:60:00Z',
  '2025-01-01T23:59:60Z',
  '2025-01-01T10:00:00+24:00',
  '2025-01-01T10:00:00+23:59',
  '2025-01-01T10:00:00+12:60',
  '0000-06-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '0001-01-01T00:00:00+08:00',
  '0001-01-01T08:00:00+08:00',
  '9999-12-31T23:59:59.999+08:00',
  '9999-12-31T20:00:00Z',
  '9999-12-31T23:00:00-08:00',
  '+012025-01-01T00:00:00Z',
  1738378800000,
];
const MEMBER: Record<string, Json[]> = {
  contractId: [
    '0B0A2A52-8C1F-4A57-9B43-1E0E6A3E9F10',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '0b0a2a52-8c1f-9a57-9b43-1e0e6a3e9f10',
    '0b0a2a52-8c1f-0a57-9b43-1e0e6a3e9f10',
    '0b0a2a52-8c1f-4a57-cb43-1e0e6a3e9f10',
    '{0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10}',
    '0b0a2a528c1f4a579b431e0e6a3e9f10',
    '0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f1',
    ' 0b0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10',
    'g0a2a52-8c1f-4a57-9b43-1e0e6a3e9f10',
  ],
  occurredAt: instants,
  direction: [
    'HK_TO_MAINLAND',
    'MACAO_TO_MAINLAND',
    'TAIPA_TO_HK',
    'X1_TO_Y2',
    'mainland_to_hk',
    'MAINLAND-TO-HK',
    'SIDEWAYS',
    '_TO_HK',
    'MAINLAND_TO_',
    '1X_TO_HK',
    'A_TO_B_TO_C',
  ],
  dataSubjectCount: [1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e21, -0.5, '1', 2.0000001],
  recordCount: [1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e21, -0.5, '1'],
  personalInformationCategories: [
    ['BASIC_PROFILE'],
    [...PERSONAL_INFORMATION_CATEGORIES],
    [...PERSONAL_INFORMATION_CATEGORIES, 'BASIC_PROFILE'],
    ['BASIC_PROFILE', 'BASIC_PROFILE'],
    ['NOT_A_CATEGORY'],
    ['basic_profile'],
    [null],
    [1],
    [['BASIC_PROFILE']],
    'BASIC_PROFILE',
  ],
  sensitiveCategories: [
    [SENSITIVE_CATEGORIES[0]],
    [...SENSITIVE_CATEGORIES],
    [...SENSITIVE_CATEGORIES, SENSITIVE_CATEGORIES[0]],
    [SENSITIVE_CATEGORIES[0], SENSITIVE_CATEGORIES[0]],
    ['BASIC_PROFILE'],
    [null],
    SENSITIVE_CATEGORIES[0],
  ],
  purposes: [
    ...text(500).map((t) => [t]),
    ['a', 'a'],
    ['ok', 'bell\u0007'],
    Array.from({ length: 50 }, (_, i) => `p${i}`),
    Array.from({ length: 51 }, (_, i) => `p${i}`),
    [''],
    [null],
    [1],
    [{}],
    'credit assessment',
  ],
  transferMethod: text(500),
  separateConsentObtained: ['true', 'false', 1],
  onwardRecipient: [
    { name: 'n', city: ' shenzhen ' },
    { name: 'n', city: 'hong_kong' },
    { name: 'n', city: 'X' },
    { name: 'n', city: 'A'.repeat(40) },
    { name: 'n', city: 'A'.repeat(41) },
    { name: 'n', city: 'HONG KONG' },
    { name: 'n', city: 'HONG-KONG' },
    { name: 'n', city: 5 },
    { name: 'n', city: null },
    { name: 'n' },
    { city: 'SHENZHEN' },
    { name: null, city: 'SHENZHEN' },
    ...text(300).map((name) => ({ name, city: 'SHENZHEN' })),
    { name: 'n', city: 'SHENZHEN', extra: 1 },
    { name: 'n', city: 'SHENZHEN', extra: null },
    [{ name: 'n', city: 'SHENZHEN' }],
    [{}],
  ],
  payloadDigest: ['AB'.repeat(32), 'a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), ` ${'a'.repeat(64)}`, `${'a'.repeat(64)}\n`],
  externalReference: text(200),
};

function withMember(field: string, value: Json): Obj {
  const r = record();
  if (value === undefined) delete r[field];
  else r[field] = value;
  return r;
}

/** Each member given each of its values, in the second of two records. */
function memberCases(): Array<[string, Json]> {
  const cases: Array<[string, Json]> = [];
  for (const field of TRANSFER_RECORD_FIELDS) {
    for (const value of [...ANY_MEMBER, ...(MEMBER[field] ?? [])]) {
      cases.push([`${field} = ${JSON.stringify(value)?.slice(0, 60)}`, { records: [record(), withMember(field, value)] }]);
    }
  }
  return cases;
}

/** A deterministic PRNG (mulberry32), so every run tries the same bodies. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every object and array of a body, with the key of each child: the places a mutation can land. */
function containers(value: Json, out: Array<Obj | Json[]> = []): Array<Obj | Json[]> {
  if (Array.isArray(value)) {
    out.push(value);
    value.forEach((v) => containers(v, out));
  } else if (value !== null && typeof value === 'object') {
    out.push(value as Obj);
    Object.values(value).forEach((v) => containers(v, out));
  }
  return out;
}

/** 1 to 3 mutations of a three-record body: a member or item replaced, removed, added, or copied from another member. */
function mutatedBodies(count: number, seed: number): Array<[string, Json]> {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const pool = [...ANY_MEMBER, ...Object.values(MEMBER).flat(), ...Object.values(record())];
  const bodies: Array<[string, Json]> = [];
  for (let n = 0; n < count; n++) {
    const body = { records: [record(), { ...record(), onwardRecipient: null }, withMember('onwardRecipient', undefined)] };
    for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
      const target = pick(containers(body));
      const keys = Object.keys(target);
      const key = keys.length && random() < 0.85 ? pick(keys) : Array.isArray(target) ? String(target.length) : pick(['extra', 'name', 'city', 'records']);
      const op = random();
      const slot = target as Record<string, Json>;
      if (op < 0.15 && !Array.isArray(target)) delete slot[key];
      else if (op < 0.3) slot[key] = JSON.parse(JSON.stringify(pick(Object.values(record()))));
      else slot[key] = copy(pick(pool)) ?? null;
    }
    bodies.push([`mutation ${n}`, body]);
  }
  return bodies;
}

describe('parseTransferBody and CreateTransfersDto through the ValidationPipe', () => {
  it('both accept the valid body, with and without onwardRecipient', async () => {
    const body = { records: [record(), { ...record(), onwardRecipient: null }, withMember('onwardRecipient', undefined)] };
    expect(byHand(body)).toBe('accepted');
    expect(await viaPipe(body)).toBe('accepted');
  });

  it('agree on bodies that are not {records: [1..10,000 records]}', async () => {
    const bodies: Array<[string, Json]> = [
      ['null', null],
      ['array', []],
      ['string', 'x'],
      ['number', 5],
      ['{}', {}],
      ['records null', { records: null }],
      ['records object', { records: { 0: record() } }],
      ['records string', { records: 'x' }],
      ['records empty', { records: [] }],
      ['extra member', { records: [record()], extra: 1 }],
      ['extra null member', { records: [record()], extra: null }],
      ['records [null]', { records: [null] }],
      ['records [5]', { records: [5] }],
      ['records ["x"]', { records: ['x'] }],
      ['records [[]]', { records: [[]] }],
      ['records [[record]]', { records: [[record()]] }],
      ['records [{}]', { records: [{}] }],
      ['too many', { records: Array.from({ length: MAX_RECORDS_PER_REQUEST + 1 }, record) }],
    ];
    expect(await disagreements(bodies)).toEqual([]);
  });

  it('agree on every member of a record given wrong values (and a few right ones)', async () => {
    const cases = memberCases();
    expect(cases.length).toBeGreaterThan(350);
    expect(await disagreements(cases)).toEqual([]);
  });

  it('agree on 400 randomly mutated bodies (seeded)', async () => {
    const bodies = mutatedBodies(400, 20251201);
    const accepted = bodies.filter(([, body]) => byHand(body) === 'accepted').length;
    expect(accepted).toBeGreaterThan(10);
    expect(accepted).toBeLessThan(380);
    expect(await disagreements(bodies)).toEqual([]);
  });
});
