import { IllegalTransitionError } from '../../common/lifecycle';
import {
  FILING_ACTIONS,
  FILING_STATUSES,
  FilingAction,
  FilingStatus,
  authorityName,
  authorityNames,
  filingAuthority,
  plannedFiling,
  filingToActOn,
  formatFilingNumber,
  isLate,
  isOverdue,
  isOverdueOn,
  nextFilingStatus,
  parseFilingNumber,
} from './filing-lifecycle';

describe('filing lifecycle (R11)', () => {
  const legal: Array<[FilingStatus, FilingAction, FilingStatus]> = [
    ['NOT_SUBMITTED', 'SUBMIT', 'SUBMITTED'],
    ['SUBMITTED', 'ACCEPT', 'ACCEPTED'],
    ['SUBMITTED', 'RETURN', 'RETURNED'],
    ['RETURNED', 'SUBMIT', 'SUBMITTED'],
  ];
  it.each(legal)('%s --%s--> %s', (from, action, to) => {
    expect(nextFilingStatus(from, action)).toBe(to);
  });

  const legalKeys = new Set(legal.map(([f, a]) => `${f}:${a}`));
  const illegal = FILING_STATUSES.flatMap((from) => FILING_ACTIONS.filter((a) => !legalKeys.has(`${from}:${a}`)).map((a) => [from, a] as const));
  it('has 8 illegal pairs', () => expect(illegal).toHaveLength(8));
  it.each(illegal)('%s --%s--> is refused with from and to', (from, action) => {
    try {
      nextFilingStatus(from, action);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(IllegalTransitionError);
      const err = e as IllegalTransitionError<FilingStatus, FilingAction>;
      expect(err.from).toBe(from);
      expect(err.action).toBe(action);
      expect(err.to).toBe({ SUBMIT: 'SUBMITTED', ACCEPT: 'ACCEPTED', RETURN: 'RETURNED' }[action]);
    }
  });
});

// The names over time as migration 1795688200000 seeds them (rollout_authority_names).
const HK_DPO_NAMES = [
  { validFrom: '2024-07-25', en: 'Digital Policy Office (DPO)', zhHant: '數字政策辦公室', zhHans: '数字政策办公室' },
  {
    validFrom: '1900-01-01',
    en: 'Office of the Government Chief Information Officer (OGCIO)',
    zhHant: '政府資訊科技總監辦公室',
    zhHans: '政府资讯科技总监办公室',
  },
];
const GD_CAC_NAMES = [
  { validFrom: '1900-01-01', en: 'Cyberspace Administration of Guangdong Province', zhHant: '廣東省互聯網信息辦公室', zhHans: '广东省互联网信息办公室' },
];

describe('filingAuthority and names (R8)', () => {
  it("is the side's filing authority, as data", () => {
    expect(filingAuthority({ filingAuthority: 'GD_CAC' })).toBe('GD_CAC');
    expect(filingAuthority({ filingAuthority: 'XX_TEST' })).toBe('XX_TEST');
  });

  it('names the OGCIO before 2024-07-25 and the DPO from that day, whatever the order of the rows', () => {
    expect(authorityName(HK_DPO_NAMES, '2024-07-24')).toBe('Office of the Government Chief Information Officer (OGCIO)');
    expect(authorityName(HK_DPO_NAMES, '2024-07-25')).toBe('Digital Policy Office (DPO)');
    expect(authorityName(HK_DPO_NAMES, '2025-01-24', 'zh-Hant')).toBe('數字政策辦公室');
    expect(authorityName(HK_DPO_NAMES, '2023-12-13', 'zh-Hans')).toBe('政府资讯科技总监办公室');
  });

  it('names the Guangdong CAC regardless of date, the earliest name before any, the code without a name', () => {
    expect(authorityName(GD_CAC_NAMES, '2023-12-13')).toBe('Cyberspace Administration of Guangdong Province');
    expect(authorityNames(GD_CAC_NAMES, '2025-01-01')).toEqual({
      en: 'Cyberspace Administration of Guangdong Province',
      zhHant: '廣東省互聯網信息辦公室',
      zhHans: '广东省互联网信息办公室',
    });
    expect(authorityName([{ ...GD_CAC_NAMES[0], validFrom: '2030-01-01' }], '2025-01-01')).toBe('Cyberspace Administration of Guangdong Province');
    expect(authorityName([], '2025-01-01', 'en', 'XX_TEST')).toBe('XX_TEST');
  });

  it('rejects a non-date', () => {
    expect(() => authorityName(HK_DPO_NAMES, '2024-7-25')).toThrow(RangeError);
  });
});

describe('isOverdue', () => {
  const deadline = '2025-02-12';
  it('NOT_SUBMITTED is overdue only after the deadline day', () => {
    expect(isOverdue({ status: 'NOT_SUBMITTED', deadline }, '2025-02-12')).toBe(false);
    expect(isOverdue({ status: 'NOT_SUBMITTED', deadline }, '2025-02-13')).toBe(true);
  });
  it('SUBMITTED and ACCEPTED are never overdue', () => {
    expect(isOverdue({ status: 'SUBMITTED', deadline }, '2026-01-01')).toBe(false);
    expect(isOverdue({ status: 'ACCEPTED', deadline }, '2026-01-01')).toBe(false);
  });
  it('RETURNED uses the resubmission deadline when configured', () => {
    const returned = { status: 'RETURNED' as const, deadline, resubmissionDeadline: '2025-03-10' };
    expect(isOverdue(returned, '2025-03-10')).toBe(false);
    expect(isOverdue(returned, '2025-03-11')).toBe(true);
    expect(isOverdue({ status: 'RETURNED', deadline }, '2025-02-13')).toBe(true);
    expect(isOverdue({ status: 'RETURNED', deadline }, '2025-02-12')).toBe(false);
  });
});

describe('isOverdueOn (historical, for transfers)', () => {
  const deadline = '2025-02-12';
  it('late submission: overdue between deadline and submission', () => {
    const f = { status: 'ACCEPTED' as const, deadline, firstSubmittedOn: '2025-02-20' };
    expect(isOverdueOn(f, '2025-02-12')).toBe(false);
    expect(isOverdueOn(f, '2025-02-15')).toBe(true);
    expect(isOverdueOn(f, '2025-02-20')).toBe(false);
  });
  it('never submitted', () => {
    expect(isOverdueOn({ status: 'NOT_SUBMITTED', deadline }, '2025-02-13')).toBe(true);
  });
  it('returned after a timely submission: overdue after the resubmission deadline', () => {
    const f = { status: 'RETURNED' as const, deadline, firstSubmittedOn: '2025-02-05', resubmissionDeadline: '2025-03-10' };
    expect(isOverdueOn(f, '2025-02-20')).toBe(false);
    expect(isOverdueOn(f, '2025-03-11')).toBe(true);
  });
  it('falls back to the current status without a submission date', () => {
    expect(isOverdueOn({ status: 'SUBMITTED', deadline }, '2025-03-01')).toBe(false);
  });
});

describe('isLate (R8: submitted after the deadline, for good)', () => {
  it('compares the first submission date with the deadline, the last permitted day', () => {
    expect(isLate({ deadline: '2025-02-12', firstSubmittedOn: '2025-02-12' })).toBe(false);
    expect(isLate({ deadline: '2025-02-12', firstSubmittedOn: '2025-02-13' })).toBe(true);
    expect(isLate({ deadline: '2025-02-12', firstSubmittedOn: null })).toBe(false);
  });
});

describe('filing numbers', () => {
  it('formats per authority', () => {
    expect(formatFilingNumber('GDCAC', 2025, 123)).toBe('GDCAC-GBA-2025-000123');
    expect(formatFilingNumber('HKDPO', 2024, 999999)).toBe('HKDPO-GBA-2024-999999');
    expect(() => formatFilingNumber('GD_CAC', 2025, 1)).toThrow(RangeError);
  });
  it('rejects out-of-range input', () => {
    expect(() => formatFilingNumber('GDCAC', 2025, 0)).toThrow(RangeError);
    expect(() => formatFilingNumber('GDCAC', 2025, 1_000_000)).toThrow(RangeError);
    expect(() => formatFilingNumber('GDCAC', 2025, 1.5)).toThrow(RangeError);
    expect(() => formatFilingNumber('GDCAC', 25, 1)).toThrow(RangeError);
  });
  it('round-trips through parse', () => {
    const prefixes = new Map([
      ['HKDPO', 'HK_DPO'],
      ['GDCAC', 'GD_CAC'],
    ]);
    expect(parseFilingNumber('HKDPO-GBA-2025-000042', prefixes)).toEqual({ authority: 'HK_DPO', year: 2025, sequence: 42 });
    expect(parseFilingNumber(formatFilingNumber('GDCAC', 2026, 7), prefixes)).toEqual({ authority: 'GD_CAC', year: 2026, sequence: 7 });
    expect(parseFilingNumber('GDCAC-GBA-2025-000000', prefixes)).toBeNull();
    expect(parseFilingNumber('XX-GBA-2025-000001', prefixes)).toBeNull();
  });
});

describe('filingToActOn (a re-filing amendment must not strand the open filings of earlier versions)', () => {
  const f = (version: number, status: FilingStatus) => ({ version, status });

  it('acts on the earliest open filing that allows the action', () => {
    expect(filingToActOn([f(2, 'NOT_SUBMITTED'), f(1, 'NOT_SUBMITTED')], 'SUBMIT')).toEqual(f(1, 'NOT_SUBMITTED'));
    expect(filingToActOn([f(1, 'ACCEPTED'), f(2, 'NOT_SUBMITTED')], 'SUBMIT')).toEqual(f(2, 'NOT_SUBMITTED'));
    expect(filingToActOn([f(1, 'RETURNED'), f(2, 'NOT_SUBMITTED')], 'SUBMIT')).toEqual(f(1, 'RETURNED'));
    // v1 awaits review: submit goes to v2, review to v1.
    expect(filingToActOn([f(1, 'SUBMITTED'), f(2, 'NOT_SUBMITTED')], 'SUBMIT')).toEqual(f(2, 'NOT_SUBMITTED'));
    expect(filingToActOn([f(1, 'SUBMITTED'), f(2, 'SUBMITTED')], 'ACCEPT')).toEqual(f(1, 'SUBMITTED'));
    expect(filingToActOn([f(1, 'NOT_SUBMITTED'), f(2, 'SUBMITTED')], 'RETURN')).toEqual(f(2, 'SUBMITTED'));
  });

  it('falls back to the earliest open filing, then to the newest, so the transition check can name the conflict', () => {
    expect(filingToActOn([f(1, 'NOT_SUBMITTED'), f(2, 'ACCEPTED')], 'ACCEPT')).toEqual(f(1, 'NOT_SUBMITTED'));
    expect(filingToActOn([f(1, 'ACCEPTED'), f(3, 'ACCEPTED')], 'SUBMIT')).toEqual(f(3, 'ACCEPTED'));
    expect(filingToActOn([], 'SUBMIT')).toBeNull();
  });
});

describe('plannedFiling (R8)', () => {
  it("files with the authority of the party's own side, by the deadline its calendar gives", () => {
    expect(plannedFiling({ filingAuthority: 'HK_DPO' }, { deadline: '2025-02-10', provisional: false })).toEqual({
      authority: 'HK_DPO',
      deadline: '2025-02-10',
      provisional: false,
    });
    expect(plannedFiling({ filingAuthority: 'GD_CAC' }, { deadline: '2027-01-15', provisional: true })).toEqual({
      authority: 'GD_CAC',
      deadline: '2027-01-15',
      provisional: true,
    });
    expect(plannedFiling({ filingAuthority: 'MO_DSPDP' }, { deadline: '2025-02-12', provisional: false }).authority).toBe('MO_DSPDP');
  });
});
