import { registryValidationPipe } from '../common/validation';
import { certainlyValidCreateContract } from './contract-body';
import { CreateContractDto } from './contract.dto';

const pipe = registryValidationPipe();
const viaPipe = async (body: unknown): Promise<{ ok: true; value: unknown } | { ok: false }> => {
  try {
    return { ok: true, value: await pipe.transform(body, { type: 'body', metatype: CreateContractDto, data: undefined }) };
  } catch {
    return { ok: false };
  }
};

const valid = () => ({
  regime: 'GBA_MAINLAND_HK',
  processorId: '3f2b8c1e-9a4d-4e2f-8b7a-1c2d3e4f5a6b',
  recipientId: '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d',
  effectiveDate: '2025-01-24',
  expiryDate: '2027-01-23',
  importantDataIncluded: false,
  annex: {
    purposes: ['cross-boundary account opening', 'credit assessment'],
    processingMethods: ['storage', 'use'],
    dataSubjectCategories: ['retail customers'],
    personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY'],
    sensitiveCategories: ['FINANCIAL_ACCOUNT'],
    onwardRecipients: [{ name: 'Guangzhou Branch', city: 'GUANGZHOU' }],
    transferMethod: 'encrypted API over dedicated line',
    retentionPeriod: { from: '2025-01-24', to: '2030-01-23' },
    storageLocation: { city: 'HONG_KONG' },
    otherMatters: '',
  },
  pipia: { completedOn: '2025-01-10', conclusion: 'risks acceptable', reportSha256: 'a'.repeat(64), impactOnRights: 'low' },
  appendixII: 'The parties review this contract every year.' as string | null,
});
type Body = ReturnType<typeof valid>;
/** An object or array of a body, indexed by a path step. */
type Container = Record<string | number, unknown>;

/** Every leaf and container replaced by each of these, one at a time. */
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'X'.repeat(501),
  'X'.repeat(5001),
  '\uFE0F',
  '\uD83D\uDE00',
  0,
  1.5,
  true,
  false,
  [],
  [''],
  ['x'],
  {},
  { a: 1 },
  '2025-02-30',
  '25-01-24',
  'GUANGZHOU',
  'guangzhou',
  'BASIC_PROFILE',
  ['BASIC_PROFILE', 'BASIC_PROFILE'],
  ['NOT_A_CATEGORY'],
  '00000000-0000-0000-0000-000000000000',
  '3F2B8C1E-9A4D-4E2F-8B7A-1C2D3E4F5A6B',
  'b'.repeat(64),
  'g'.repeat(64),
  Array.from({ length: 101 }, () => 'x'),
  [{ name: 'n', city: 'SHENZHEN', extra: 1 }],
  [{ name: '', city: 'SHENZHEN' }],
  // PostgreSQL cannot store these as sent (NUL; unpaired surrogates), and impossible dates.
  'a\u0000b',
  '\u0000',
  ['ok', 'x\u0000'],
  'x\uD800',
  '\uDC00x',
  ['\uD83D'],
  '2025-13-45',
  '2024-02-29',
  '2023-02-29',
  '0000-01-01',
];

function* paths(value: unknown, prefix: Array<string | number> = []): Generator<Array<string | number>> {
  if (prefix.length) yield prefix;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* paths(value[i], [...prefix, i]);
  else if (value && typeof value === 'object') for (const k of Object.keys(value)) yield* paths((value as Container)[k], [...prefix, k]);
}

function replaced(path: Array<string | number>, replacement: unknown): unknown {
  const body = valid();
  let target: Container = body;
  for (const k of path.slice(0, -1)) target = target[k] as Container;
  const last = path[path.length - 1];
  if (replacement === undefined) delete target[last];
  else target[last] = replacement;
  return body;
}

describe('certainlyValidCreateContract', () => {
  it('accepts the valid body as is, as the ValidationPipe does', async () => {
    const body = valid();
    expect(certainlyValidCreateContract(body)).toBe(body);
    const pipe = await viaPipe(valid());
    expect(pipe.ok).toBe(true);
    expect(JSON.parse(JSON.stringify((pipe as { value: unknown }).value))).toEqual(valid());
  });

  it('never accepts a body the ValidationPipe refuses, and accepts only what it would pass through unchanged', async () => {
    const bodies: unknown[] = [null, [], 'x', {}, { ...valid(), extra: 1 }, { ...valid(), annex: { ...valid().annex, extra: 1 } }];
    for (const path of paths(valid())) for (const r of REPLACEMENTS) bodies.push(replaced(path, r));
    let accepted = 0;
    for (const body of bodies) {
      const fast = certainlyValidCreateContract(body);
      if (fast === null) continue;
      accepted++;
      const pipe = await viaPipe(JSON.parse(JSON.stringify(body)));
      expect({ body, pipe: pipe.ok }).toEqual({ body, pipe: true });
      expect(JSON.parse(JSON.stringify((pipe as { value: unknown }).value))).toEqual(JSON.parse(JSON.stringify(body)));
    }
    expect(accepted).toBeGreaterThan(10);
    expect(bodies.length).toBeGreaterThan(1000);
  });
});

describe('certainlyValidCreateContract and unclean text or impossible dates', () => {
  const cases: Array<[string, (b: Body) => void]> = [
    ['annex.purposes', (b) => (b.annex.purposes[1] = 'credit\u0000assessment')],
    ['annex.transferMethod', (b) => (b.annex.transferMethod = 'api \uD800')],
    ['annex.otherMatters', (b) => (b.annex.otherMatters = '\uDC00')],
    ['annex.onwardRecipients[0].name', (b) => (b.annex.onwardRecipients[0].name = 'x\u0000')],
    ['pipia.conclusion', (b) => (b.pipia.conclusion = 'ok\u0000')],
    ['pipia.impactOnRights', (b) => (b.pipia.impactOnRights = '\uD83D')],
    ['effectiveDate', (b) => (b.effectiveDate = '2025-13-45')],
    ['appendixII', (b) => (b.appendixII = 'terms\u0000')],
    ['appendixII', (b) => (b.appendixII = 'x'.repeat(20_001))],
    ['annex.retentionPeriod.to', (b) => (b.annex.retentionPeriod.to = '2025-02-29')],
  ];
  it.each(cases)('leaves %s to the ValidationPipe, which names the field', async (field, breakIt) => {
    const body = valid();
    breakIt(body);
    expect(certainlyValidCreateContract(body)).toBeNull();
    await expect(pipe.transform(body, { type: 'body', metatype: CreateContractDto, data: undefined })).rejects.toMatchObject({
      options: { errors: expect.arrayContaining([expect.objectContaining({ field })]) },
    });
  });
});
