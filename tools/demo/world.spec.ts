// The demo's world is checked against the registry's own rules (src/ domain code): identifiers
// pass R17, and the planned transfers earn exactly the flags they were planned to earn.
import { validateHkBrn, validateUscc } from '../../src/organisations/identifiers';
import { isGbaCity } from '../../src/contracts/domain/contract-rules';
import { buildScope, computeFlags } from '../../src/transfers/domain/compliance-flags';
import { demoPassword, parseEnvFile, renderEnvFile } from './env-file';
import { addDays, ContractKind, DEVIATION_RATE, planWorld, transferRecords, transferWindow } from './world';

const ANCHOR = '2026-11-30';

describe('demo world', () => {
  const world = planWorld({ organisations: 100, transfers: 30_000, anchor: ANCHOR });

  it('is the same every time, and a smaller world is a prefix of a larger one', () => {
    expect(planWorld({ organisations: 100, transfers: 30_000, anchor: ANCHOR })).toEqual(world);
    const small = planWorld({ organisations: 12, transfers: 400, anchor: ANCHOR });
    expect(small.organisations).toEqual(world.organisations.slice(0, 12));
  });

  it('has valid, distinct identifiers, names and e-mail addresses in all ten cities', () => {
    for (const o of world.organisations) {
      const check = o.identifierType === 'USCC' ? validateUscc(o.identifier) : validateHkBrn(o.identifier);
      expect({ identifier: o.identifier, ok: check.ok }).toEqual({ identifier: o.identifier, ok: true });
      expect(o.legalNameZh).toMatch(/[\u4e00-\u9fff]/);
      expect(o.domain.split('.')[0].length).toBeLessThanOrEqual(63);
    }
    const distinct = (values: string[]) => new Set(values).size === values.length;
    expect(distinct(world.organisations.map((o) => o.identifier))).toBe(true);
    expect(distinct(world.organisations.map((o) => o.legalName))).toBe(true);
    expect(distinct(world.organisations.flatMap((o) => [o.adminEmail, ...(o.filerEmail ? [o.filerEmail] : [])]))).toBe(true);
    expect(new Set(world.organisations.map((o) => o.city)).size).toBe(10);
    expect(world.organisations[world.mainlandIndex].jurisdiction).toBe('MAINLAND');
    expect(world.organisations[world.hongKongIndex]).toMatchObject({ jurisdiction: 'HONG_KONG', enrolment: 'NONE' });
  });

  it('plans a contract in every state even at the smallest size, and shares out every transfer', () => {
    for (const size of [10, 100]) {
      const w = planWorld({ organisations: size, transfers: 1234, anchor: ANCHOR });
      const kinds: ContractKind[] = ['ACCEPTED', 'SUBMITTED', 'RETURNED', 'AMENDED', 'AMENDED_REFILING', 'TERMINATED', 'OVERDUE', 'PENDING', 'EXPIRED'];
      expect(new Set(w.contracts.map((c) => c.kind))).toEqual(new Set(kinds));
      expect(w.contracts.reduce((s, c) => s + c.transfers, 0)).toBe(1234);
      for (const c of w.contracts) {
        expect(w.organisations[c.processor].jurisdiction).not.toBe(w.organisations[c.recipient].jurisdiction);
        if (c.kind === 'PENDING') expect(c.transfers).toBe(0);
        expect(c.terms.pipia.completedOn < c.terms.effectiveDate).toBe(true);
        expect(isGbaCity(c.terms.annex.storageLocation.city)).toBe(true);
      }
    }
    expect(() => planWorld({ organisations: 9, transfers: 0, anchor: ANCHOR })).toThrow(RangeError);
  });

  it('gives each contract records that are clean in its window, except the planned deviations and late ones', () => {
    const w = planWorld({ organisations: 40, transfers: 8000, anchor: ANCHOR });
    let total = 0;
    let deviations = 0;
    const wrong: string[] = [];
    for (const plan of w.contracts.filter((c) => c.transfers > 0)) {
      // Filings submitted on the anchor day, due 14 days after the effective date (about 10 working days).
      const deadline = addDays(plan.terms.effectiveDate, 14);
      const window = transferWindow(plan, [deadline, addDays(deadline, 1)], ANCHOR);
      const records = transferRecords(plan, w.organisations[plan.processor], 'contract-id', window, plan.transfers);
      if (records.length !== (window.from <= window.to ? plan.transfers : 0)) wrong.push(`${plan.key}: ${records.length} records`);
      const scope = buildScope(plan.terms, {
        direction: plan.direction,
        terminatedOn: plan.termination?.terminatedOn ?? null,
        filings: [{ status: 'SUBMITTED', deadline, firstSubmittedOn: ANCHOR }],
      });
      for (const r of records) {
        const late = window.lateFrom !== null && r.occurredAt >= `${window.lateFrom}T`;
        const flags = computeFlags(scope, r);
        const expected = plan.late === 'AFTER_TERMINATION' ? 'CONTRACT_TERMINATED' : 'FILING_OVERDUE';
        if (late && !flags.includes(expected)) wrong.push(`${plan.key} ${r.occurredAt}: late but ${flags.join(',')}`);
        if (!late && flags.length) deviations += 1;
        if (r.occurredAt >= `${ANCHOR}T`) wrong.push(`${plan.key} ${r.occurredAt}: not in the past`);
      }
      total += records.length;
    }
    expect(wrong).toEqual([]);
    expect(total).toBe(8000);
    expect(deviations / total).toBeGreaterThan(DEVIATION_RATE / 2);
    expect(deviations / total).toBeLessThan(DEVIATION_RATE * 2);
    const plan = w.contracts[0];
    const window = transferWindow(plan, [addDays(plan.terms.effectiveDate, 14)], ANCHOR);
    const again = () => JSON.stringify(transferRecords(plan, w.organisations[plan.processor], 'contract-id', window, plan.transfers));
    expect(again()).toBe(again());
  });
});

describe('demo.env', () => {
  it('round-trips values with quotes and keeps the shell functions', () => {
    const text = renderEnvFile([{ name: 'API', value: 'http://127.0.0.1:3000' }, '', { name: 'NAME', value: "O'Brien & Co", comment: 'x' }]);
    expect(Object.fromEntries(parseEnvFile(text))).toEqual({ API: 'http://127.0.0.1:3000', NAME: "O'Brien & Co" });
    expect(text).toMatch(/^token\(\) \{/m);
    expect(text).toMatch(/^service_token\(\) \{/m);
  });

  it('derives 24-character passwords, the same for the same secret and e-mail', () => {
    const a = demoPassword('secret', 'someone@example.test');
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(demoPassword('secret', 'Someone@Example.test')).toBe(a);
    expect(demoPassword('other', 'someone@example.test')).not.toBe(a);
  });
});
