import { ContractTerms } from '../../contracts/domain/contract-rules';
import { sampleTerms } from '../../contracts/domain/sample-terms.fixture';
import {
  COMPLIANCE_FLAGS,
  ContractScope,
  ScopeExtra,
  TransferFacts,
  buildScope,
  computeFlags as computeFlagsAt,
  gbaCalendarDate,
  selectVersionInForce,
  versionSelector,
} from './compliance-flags';
import { sampleTransfer } from './sample-transfer.fixture';

/** When the records below are logged, unless a test says otherwise: after all of them, so none is dated in the future. */
const LOGGED = '2099-01-01T00:00:00Z';
const computeFlags = (s: ContractScope, r: TransferFacts, recordedAt: string | Date = LOGGED) => computeFlagsAt(s, r, recordedAt);

function terms(): ContractTerms {
  return sampleTerms({}, { retentionPeriod: { from: '2025-01-24', to: '2026-12-31' } });
}

const extra = (e: Partial<ScopeExtra> = {}): ScopeExtra => ({
  direction: 'MAINLAND_TO_HK',
  filings: [
    { status: 'ACCEPTED', deadline: '2025-02-12', firstSubmittedOn: '2025-02-05' },
    { status: 'SUBMITTED', deadline: '2025-02-10', firstSubmittedOn: '2025-02-07' },
  ],
  ...e,
});

const scope = (t: ContractTerms = terms(), e: Partial<ScopeExtra> = {}): ContractScope => buildScope(t, extra(e));

function record(r: Partial<TransferFacts> = {}): TransferFacts {
  return {
    occurredAt: '2025-02-01T03:00:00Z',
    ...sampleTransfer(),
    onwardRecipient: null,
    ...r,
  };
}

describe('gbaCalendarDate', () => {
  it('uses the UTC+8 calendar date', () => {
    expect(gbaCalendarDate('2025-01-23T15:59:59Z')).toBe('2025-01-23');
    expect(gbaCalendarDate('2025-01-23T16:00:00Z')).toBe('2025-01-24');
    expect(gbaCalendarDate(new Date('2025-12-31T20:00:00Z'))).toBe('2026-01-01');
    expect(gbaCalendarDate('2025-01-24T00:30:00+08:00')).toBe('2025-01-24');
  });
  it('rejects a non-instant', () => {
    expect(() => gbaCalendarDate('yesterday')).toThrow(RangeError);
  });
  it('reads a canonical UTC instant off the string exactly as Date computes it, month ends, leap days and year ends included', () => {
    const byDate = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);
    const instants: string[] = [];
    for (let n = 0; n < 5000; n++) instants.push(new Date(Date.UTC(2020, 0, 1) + Math.floor(Math.random() * 9 * 365 * 86_400_000)).toISOString());
    for (const day of ['2024-02-28', '2024-02-29', '2025-02-28', '2025-12-31', '2026-04-30', '2026-01-28', '2026-01-29']) {
      for (const time of ['00:00:00.000', '15:59:59.999', '16:00:00.000', '23:59:59.999']) instants.push(`${day}T${time}Z`);
    }
    // Every year the log accepts (0001–9999), after 16:00 UTC on the last days of months and years, and any time.
    const earliest = Date.parse('0001-01-01T00:00:00Z');
    const latest = Date.parse('9999-12-31T15:59:59.999Z');
    for (let n = 0; n < 20_000; n++) {
      const at = new Date(earliest + Math.floor(Math.random() * (latest - earliest)));
      instants.push(at.toISOString());
      at.setUTCDate(1 + ((n % 4) + 27));
      at.setUTCHours(16 + (n % 8));
      if (at.getTime() <= latest) instants.push(at.toISOString());
    }
    instants.push('9998-12-31T16:00:00.000Z', '0001-01-01T00:00:00.000Z', '2100-02-28T16:00:00.000Z', '2000-02-28T16:00:00.000Z', '2000-02-29T16:00:00.000Z');
    for (const iso of instants) expect([iso, gbaCalendarDate(iso)]).toEqual([iso, byDate(iso)]);
  });

  it('leaves strings that only look canonical to Date, as before', () => {
    for (const odd of ['2025-02-30T10:00:00.000Z', '2025-13-01T10:00:00.000Z', '2025-00-10T10:00:00.000Z', '2025-04-31T20:00:00.000Z']) {
      const viaDate = Number.isNaN(Date.parse(odd)) ? 'RangeError' : new Date(Date.parse(odd) + 8 * 3600_000).toISOString().slice(0, 10);
      let got: string;
      try {
        got = gbaCalendarDate(odd);
      } catch (error) {
        got = error instanceof RangeError ? 'RangeError' : String(error);
      }
      expect([odd, got]).toEqual([odd, viaDate]);
    }
  });
});

describe('computeFlags', () => {
  it('a clean record gets no flags', () => {
    expect(computeFlags(scope(), record())).toEqual([]);
  });

  it('a clean record with in-scope sensitive data, consent and a listed onward recipient gets no flags', () => {
    expect(
      computeFlags(
        scope(),
        record({
          sensitiveCategories: ['FINANCIAL_ACCOUNT'],
          separateConsentObtained: true,
          purposes: ['  Credit Assessment', 'cross-boundary account opening'],
          transferMethod: 'Encrypted API over dedicated  line',
          onwardRecipient: { name: 'audit co', city: 'GUANGZHOU' },
        }),
      ),
    ).toEqual([]);
  });

  it('CONTRACT_NOT_EFFECTIVE: before the effective date in UTC+8', () => {
    expect(computeFlags(scope(), record({ occurredAt: '2025-01-23T15:59:59Z' }))).toContain('CONTRACT_NOT_EFFECTIVE');
    expect(computeFlags(scope(), record({ occurredAt: '2025-01-23T16:00:00Z' }))).not.toContain('CONTRACT_NOT_EFFECTIVE');
  });

  it('CONTRACT_TERMINATED: on or after the termination date', () => {
    const s = scope(terms(), { terminatedOn: '2025-06-01' });
    expect(computeFlags(s, record({ occurredAt: '2025-05-31T15:59:59Z' }))).toEqual([]);
    expect(computeFlags(s, record({ occurredAt: '2025-05-31T16:00:00Z' }))).toEqual(['CONTRACT_TERMINATED']);
  });

  it('CONTRACT_EXPIRED: after the expiry date (the expiry day itself is in force)', () => {
    const t = terms();
    t.expiryDate = '2025-06-30';
    expect(computeFlags(scope(t), record({ occurredAt: '2025-06-30T12:00:00Z' }))).toEqual([]);
    expect(computeFlags(scope(t), record({ occurredAt: '2025-07-01T00:00:00Z' }))).toEqual(['CONTRACT_EXPIRED']);
  });

  it('no expiry date never expires', () => {
    const t = terms();
    t.expiryDate = null;
    expect(computeFlags(scope(t), record({ occurredAt: '2026-06-01T00:00:00Z' }))).toEqual([]);
  });

  it('DIRECTION_MISMATCH', () => {
    expect(computeFlags(scope(), record({ direction: 'HK_TO_MAINLAND' }))).toEqual(['DIRECTION_MISMATCH']);
  });

  it('CATEGORY_NOT_IN_SCOPE', () => {
    expect(computeFlags(scope(), record({ personalInformationCategories: ['BASIC_PROFILE', 'LOCATION'] }))).toEqual(['CATEGORY_NOT_IN_SCOPE']);
  });

  it('SENSITIVE_NOT_IN_SCOPE', () => {
    expect(computeFlags(scope(), record({ sensitiveCategories: ['BIOMETRIC'] }))).toEqual(['SENSITIVE_NOT_IN_SCOPE']);
  });

  it('SENSITIVE_WITHOUT_SEPARATE_CONSENT', () => {
    expect(computeFlags(scope(), record({ sensitiveCategories: ['FINANCIAL_ACCOUNT'], separateConsentObtained: false }))).toEqual([
      'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
    ]);
    // No sensitive information: consent flag not needed.
    expect(computeFlags(scope(), record({ separateConsentObtained: false }))).toEqual([]);
  });

  it('PURPOSE_NOT_IN_SCOPE', () => {
    expect(computeFlags(scope(), record({ purposes: ['credit assessment', 'marketing'] }))).toEqual(['PURPOSE_NOT_IN_SCOPE']);
  });

  it('METHOD_NOT_IN_SCOPE', () => {
    expect(computeFlags(scope(), record({ transferMethod: 'email attachment' }))).toEqual(['METHOD_NOT_IN_SCOPE']);
  });

  it('ONWARD_RECIPIENT_OUTSIDE_GBA (and not in the annex)', () => {
    expect(computeFlags(scope(), record({ onwardRecipient: { name: 'Audit Co', city: 'BEIJING' } }))).toEqual([
      'ONWARD_RECIPIENT_NOT_IN_ANNEX',
      'ONWARD_RECIPIENT_OUTSIDE_GBA',
    ]);
  });

  it('ONWARD_RECIPIENT_OUTSIDE_GBA alone when the annex (wrongly) lists it', () => {
    const t = terms();
    t.annex.onwardRecipients.push({ name: 'Shantou Co', city: 'SHANTOU' });
    expect(computeFlags(scope(t), record({ onwardRecipient: { name: 'Shantou Co', city: 'SHANTOU' } }))).toEqual(['ONWARD_RECIPIENT_OUTSIDE_GBA']);
  });

  it('an onward recipient in Macao is inside the Greater Bay Area (R1, R5): no flag when the annex lists it', () => {
    const t = terms();
    t.annex.onwardRecipients.push({ name: 'Macao Co', city: 'MACAO' });
    expect(computeFlags(scope(t), record({ onwardRecipient: { name: 'Macao Co', city: 'MACAO' } }))).toEqual([]);
  });

  it('ONWARD_RECIPIENT_NOT_IN_ANNEX', () => {
    expect(computeFlags(scope(), record({ onwardRecipient: { name: 'Cloud Co', city: 'SHENZHEN' } }))).toEqual(['ONWARD_RECIPIENT_NOT_IN_ANNEX']);
  });

  it('FILING_OVERDUE: a filing not submitted by the transfer date, past its deadline', () => {
    const s = scope(terms(), {
      filings: [
        { status: 'ACCEPTED', deadline: '2025-02-12', firstSubmittedOn: '2025-02-05' },
        { status: 'NOT_SUBMITTED', deadline: '2025-02-10' },
      ],
    });
    expect(computeFlags(s, record({ occurredAt: '2025-02-10T10:00:00Z' }))).toEqual([]);
    expect(computeFlags(s, record({ occurredAt: '2025-02-11T10:00:00Z' }))).toEqual(['FILING_OVERDUE']);
  });

  it('FILING_OVERDUE: a late-submitted filing flags only transfers in the late window', () => {
    const s = scope(terms(), {
      filings: [{ status: 'SUBMITTED', deadline: '2025-02-10', firstSubmittedOn: '2025-02-20' }],
    });
    expect(computeFlags(s, record({ occurredAt: '2025-02-15T00:00:00Z' }))).toEqual(['FILING_OVERDUE']);
    expect(computeFlags(s, record({ occurredAt: '2025-02-21T00:00:00Z' }))).toEqual([]);
  });

  it('PIPIA_AFTER_TRANSFER: the PIPIA was completed after the transfer date (R6: before the first transfer); on the day is fine', () => {
    const t = terms();
    t.pipia.completedOn = '2025-02-02';
    expect(computeFlags(scope(t), record({ occurredAt: '2025-02-01T03:00:00Z' }))).toEqual(['PIPIA_AFTER_TRANSFER']);
    // 2025-02-01T16:00:00Z is 2025-02-02 in the GBA (UTC+8): the day of the PIPIA.
    expect(computeFlags(scope(t), record({ occurredAt: '2025-02-01T16:00:00Z' }))).toEqual([]);
    expect(computeFlags(scope(t), record({ occurredAt: '2025-02-02T03:00:00Z' }))).toEqual([]);
  });

  it('PIPIA_MISSING: no PIPIA at all', () => {
    const t = terms() as ContractTerms & { pipia: unknown };
    (t as { pipia?: unknown }).pipia = undefined;
    expect(computeFlags(scope(t), record())).toEqual(['PIPIA_MISSING']);
  });

  it('AFTER_RETENTION_PERIOD', () => {
    expect(computeFlags(scope(), record({ occurredAt: '2026-12-31T15:59:59Z' }))).toEqual([]);
    expect(computeFlags(scope(), record({ occurredAt: '2026-12-31T16:00:00Z' }))).toEqual(['AFTER_RETENTION_PERIOD']);
  });

  it('returns several flags sorted and without duplicates', () => {
    const flags = computeFlags(
      scope(terms(), { terminatedOn: '2025-01-30' }),
      record({
        direction: 'HK_TO_MAINLAND',
        purposes: ['marketing', 'profiling'],
        personalInformationCategories: ['LOCATION', 'DEVICE'],
        sensitiveCategories: ['WHEREABOUTS'],
        separateConsentObtained: false,
      }),
    );
    expect(flags).toEqual([
      'CATEGORY_NOT_IN_SCOPE',
      'CONTRACT_TERMINATED',
      'DIRECTION_MISMATCH',
      'PURPOSE_NOT_IN_SCOPE',
      'SENSITIVE_NOT_IN_SCOPE',
      'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
    ]);
  });

  it('OCCURRED_IN_FUTURE: dated more than five minutes after it was logged', () => {
    const logged = '2025-02-01T03:00:00Z';
    expect(computeFlags(scope(), record({ occurredAt: '2025-02-01T03:05:00Z' }), logged)).toEqual([]);
    expect(computeFlags(scope(), record({ occurredAt: '2025-02-01T03:05:00.001Z' }), logged)).toEqual(['OCCURRED_IN_FUTURE']);
    expect(computeFlags(scope(), record({ occurredAt: '2025-02-01T11:05:00.001+08:00' }), new Date(logged))).toEqual(['OCCURRED_IN_FUTURE']);
    expect(computeFlags(scope(), record({ occurredAt: '2025-01-31T03:00:00Z' }), logged)).toEqual([]);
  });

  it('every declared flag is reachable', () => {
    const seen = new Set<string>();
    const t = terms();
    t.expiryDate = '2025-01-25';
    t.pipia.completedOn = '2030-01-01';
    const s = buildScope(t, {
      direction: 'MAINLAND_TO_HK',
      terminatedOn: '2025-01-25',
      filings: [{ status: 'NOT_SUBMITTED', deadline: '2025-02-10' }],
    });
    for (const f of computeFlags(
      s,
      record({
        occurredAt: '2027-06-01T00:00:00Z',
        direction: 'HK_TO_MAINLAND',
        personalInformationCategories: ['LOCATION'],
        sensitiveCategories: ['WHEREABOUTS'],
        separateConsentObtained: false,
        purposes: ['x'],
        transferMethod: 'y',
        onwardRecipient: { name: 'z', city: 'OTHER' },
      }),
      '2027-05-31T00:00:00Z',
    ))
      seen.add(f);
    for (const f of computeFlags(s, record({ occurredAt: '2025-01-01T00:00:00Z' }), '2025-01-01T00:00:00Z')) seen.add(f);
    const noPipia = terms() as ContractTerms & { pipia: unknown };
    (noPipia as { pipia?: unknown }).pipia = undefined;
    for (const f of computeFlags(scope(noPipia), record())) seen.add(f);
    expect([...seen].sort()).toEqual([...COMPLIANCE_FLAGS]);
  });

  it('flags 10,000 records against one scope', () => {
    const s = scope();
    const r = record();
    const flags = Array.from({ length: 10_000 }, () => computeFlags(s, r));
    expect(flags.every((f) => f.length === 0)).toBe(true);
  });
});

describe('selectVersionInForce', () => {
  const versions = [
    { version: 2, effectiveDate: '2025-06-01' },
    { version: 1, effectiveDate: '2025-01-24' },
    { version: 3, effectiveDate: '2025-09-01' },
  ];
  it('picks the highest version effective on the transfer GBA date', () => {
    expect(selectVersionInForce(versions, '2025-05-31T15:59:59Z')?.version).toBe(1);
    expect(selectVersionInForce(versions, '2025-05-31T16:00:00Z')?.version).toBe(2);
    expect(selectVersionInForce(versions, '2025-08-31T23:00:00Z')?.version).toBe(3);
    expect(selectVersionInForce(versions, '2026-01-01T00:00:00Z')?.version).toBe(3);
  });
  it('falls back to the first version before all of them (to flag CONTRACT_NOT_EFFECTIVE)', () => {
    expect(selectVersionInForce(versions, '2024-12-31T00:00:00Z')?.version).toBe(1);
  });
  it('undefined for no versions', () => {
    expect(selectVersionInForce([], '2025-01-01T00:00:00Z')).toBeUndefined();
  });
  it('versionSelector does the same for a batch', () => {
    const select = versionSelector(versions);
    expect(['2025-02-01T00:00:00Z', '2025-07-01T00:00:00Z'].map((d) => select(d)?.version)).toEqual([1, 2]);
  });
});
