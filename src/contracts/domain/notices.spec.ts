import { ErrorCode } from '../../common/errors';
import { acknowledgedRefusal, planNotices } from './notices';

describe('notices of a contract’s end (R13)', () => {
  const filings = [
    { party: 'recipient' as const, authority: 'HK_DPO' },
    { party: 'processor' as const, authority: 'GD_CAC' },
  ];

  it('addresses one notice to the authority each party files with, processor’s first', () => {
    expect(planNotices('TERMINATED', '2026-06-30', { processor: 'MAINLAND', recipient: 'HONG_KONG' }, filings)).toEqual([
      { kind: 'TERMINATED', party: 'processor', authority: 'GD_CAC', side: 'MAINLAND', endedOn: '2026-06-30' },
      { kind: 'TERMINATED', party: 'recipient', authority: 'HK_DPO', side: 'HONG_KONG', endedOn: '2026-06-30' },
    ]);
  });

  it('reaches the Macao authority for a Mainland–Macao contract', () => {
    const macao = [
      { party: 'processor' as const, authority: 'GD_CAC' },
      { party: 'recipient' as const, authority: 'MO_DSPDP' },
    ];
    expect(planNotices('EXPIRED', '2025-06-30', { processor: 'MAINLAND', recipient: 'MACAO' }, macao).map((n) => [n.authority, n.side])).toEqual([
      ['GD_CAC', 'MAINLAND'],
      ['MO_DSPDP', 'MACAO'],
    ]);
  });

  it('addresses no one for a party without a filing', () => {
    expect(planNotices('EXPIRED', '2025-06-30', { processor: 'MAINLAND', recipient: 'HONG_KONG' }, [])).toEqual([]);
  });

  it('is acknowledged once', () => {
    expect(acknowledgedRefusal(null)).toBeNull();
    expect(acknowledgedRefusal(new Date('2026-01-05T02:00:00Z'))).toMatchObject({
      code: ErrorCode.CONFLICT,
      status: 409,
      options: { rule: 'R13', detail: 'the notice was acknowledged at 2026-01-05T02:00:00.000Z' },
    });
  });
});
