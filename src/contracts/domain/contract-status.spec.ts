import { contractStatus } from './contract-status';

describe('contract status', () => {
  const facts = { terminatedOn: null, firstEffectiveDate: '2025-01-01', latestExpiryDate: '2025-12-31' };

  it('PENDING before version 1 takes effect, EFFECTIVE from that day to the expiry date, EXPIRED after it', () => {
    expect(contractStatus(facts, '2024-12-31')).toBe('PENDING');
    expect(contractStatus(facts, '2025-01-01')).toBe('EFFECTIVE');
    expect(contractStatus(facts, '2025-12-31')).toBe('EFFECTIVE');
    expect(contractStatus(facts, '2026-01-01')).toBe('EXPIRED');
    expect(contractStatus({ ...facts, latestExpiryDate: null }, '2099-01-01')).toBe('EFFECTIVE');
  });

  it('R13: TERMINATED from the termination date, before any other status', () => {
    const terminated = { ...facts, terminatedOn: '2025-06-01' };
    expect(contractStatus(terminated, '2025-05-31')).toBe('EFFECTIVE');
    expect(contractStatus(terminated, '2025-06-01')).toBe('TERMINATED');
    expect(contractStatus({ ...terminated, terminatedOn: '2025-01-01' }, '2026-06-01')).toBe('TERMINATED');
  });
});
