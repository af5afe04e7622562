import { seededRefilingTriggers } from '../../rules/domain/seeded-rules.fixture';
import { AMENDMENT_FIELDS, triggerProblems } from '../../rules/domain/data-rules';
import { COMPARED_FIELDS, diffTerms } from './amendment';
import { ContractTerms } from './contract-rules';
import { sampleTerms } from './sample-terms.fixture';

function base(): ContractTerms {
  return sampleTerms();
}

function amend(mutate: (t: ContractTerms) => void): ContractTerms {
  const t = structuredClone(base());
  mutate(t);
  return t;
}

const seeded = seededRefilingTriggers();

describe('diffTerms (R12)', () => {
  it('identical terms: nothing changed, no re-filing', () => {
    const r = diffTerms(base(), base(), seeded);
    expect(r).toMatchObject({ changedFields: [], changes: [], refilingRequired: false, triggers: [], triggeredBy: [], rule: expect.stringMatching(/^R12:/) });
  });

  it('compares every field the trigger vocabulary names, and no other', () => {
    expect([...COMPARED_FIELDS].sort()).toEqual(Object.keys(AMENDMENT_FIELDS).sort());
    for (const t of seeded) expect(triggerProblems(t.field, t.change)).toEqual([]);
  });

  it('reordered lists and whitespace/case differences in free text are not changes', () => {
    const after = amend((t) => {
      t.annex.purposes = ['Credit  Assessment', ' cross-boundary account opening'];
      t.annex.processingMethods = ['use', 'storage'];
      t.annex.personalInformationCategories = ['PROPERTY_FINANCIAL', 'BASIC_PROFILE', 'IDENTITY'];
      t.annex.transferMethod = 'Encrypted API over  dedicated line ';
    });
    expect(diffTerms(base(), after, seeded).changedFields).toEqual([]);
  });

  // Going beyond the version amended: each meets one seeded trigger.
  const widening: Array<[string, string, (t: ContractTerms) => void]> = [
    ['annex.purposes', 'PURPOSE_ADDED', (t) => t.annex.purposes.push('marketing')],
    ['annex.processingMethods', 'PROCESSING_METHOD_ADDED', (t) => t.annex.processingMethods.push('analysis')],
    ['annex.dataSubjectCategories', 'DATA_SUBJECT_CATEGORY_ADDED', (t) => t.annex.dataSubjectCategories.push('employees')],
    ['annex.personalInformationCategories', 'PERSONAL_INFORMATION_CATEGORY_ADDED', (t) => t.annex.personalInformationCategories.push('LOCATION')],
    ['annex.sensitiveCategories', 'SENSITIVE_CATEGORY_ADDED', (t) => t.annex.sensitiveCategories.push('MEDICAL_HEALTH')],
    ['annex.transferMethod', 'TRANSFER_METHOD_CHANGED', (t) => (t.annex.transferMethod = 'SFTP')],
    ['annex.storageLocation.city', 'STORAGE_LOCATION_CHANGED', (t) => (t.annex.storageLocation.city = 'SHENZHEN')],
    ['annex.retentionPeriod.to', 'RETENTION_EXTENDED', (t) => (t.annex.retentionPeriod.to = '2031-01-23')],
    ['annex.onwardRecipients', 'ONWARD_RECIPIENT_ADDED', (t) => t.annex.onwardRecipients.push({ name: 'Cloud Co', city: 'SHENZHEN' })],
    ['annex.onwardRecipients', 'ONWARD_RECIPIENT_ADDED', (t) => (t.annex.onwardRecipients[0].city = 'FOSHAN')],
  ];
  it.each(widening)('%s going beyond the version amended meets %s (#%#)', (field, code, mutate) => {
    const r = diffTerms(base(), amend(mutate), seeded);
    expect(r.changedFields).toEqual([field]);
    expect(r.triggers).toEqual([field]);
    expect(r.triggeredBy).toEqual([expect.objectContaining({ code, field })]);
    expect(r.refilingRequired).toBe(true);
    expect(r.refilingReason).toMatch(new RegExp(`^Re-filing required \\(R12\\).*${code}`));
  });

  // Narrowing, and changes outside the agreed scope: recorded, no re-filing.
  const narrowing: Array<[string, string, (t: ContractTerms) => void]> = [
    ['annex.purposes', 'REMOVED', (t) => t.annex.purposes.pop()],
    ['annex.processingMethods', 'REMOVED', (t) => (t.annex.processingMethods = ['storage'])],
    ['annex.dataSubjectCategories', 'REMOVED', (t) => (t.annex.dataSubjectCategories = [])],
    ['annex.personalInformationCategories', 'REMOVED', (t) => (t.annex.personalInformationCategories = ['BASIC_PROFILE'])],
    ['annex.sensitiveCategories', 'REMOVED', (t) => (t.annex.sensitiveCategories = [])],
    ['annex.onwardRecipients', 'REMOVED', (t) => (t.annex.onwardRecipients = [])],
    ['annex.retentionPeriod.to', 'SHORTENED', (t) => (t.annex.retentionPeriod.to = '2029-01-23')],
    ['expiryDate', 'CHANGED', (t) => (t.expiryDate = '2028-01-23')],
    ['expiryDate', 'CHANGED', (t) => (t.expiryDate = null)],
    ['effectiveDate', 'EXTENDED', (t) => (t.effectiveDate = '2025-03-01')],
    ['annex.otherMatters', 'CHANGED', (t) => (t.annex.otherMatters = 'governing language: Chinese')],
    ['annex.retentionPeriod.from', 'EXTENDED', (t) => (t.annex.retentionPeriod.from = '2025-02-01')],
    ['pipia.completedOn', 'SHORTENED', (t) => (t.pipia.completedOn = '2025-01-09')],
    ['pipia.reportSha256', 'CHANGED', (t) => (t.pipia.reportSha256 = 'b'.repeat(64))],
  ];
  it.each(narrowing)('%s %s alone needs no re-filing, with the reason (#%#)', (field, kind, mutate) => {
    const r = diffTerms(base(), amend(mutate), seeded);
    expect(r.changedFields).toEqual([field]);
    expect(r.changes).toEqual([{ field, changes: expect.arrayContaining([kind, 'CHANGED']) }]);
    expect(r.triggers).toEqual([]);
    expect(r.triggeredBy).toEqual([]);
    expect(r.refilingRequired).toBe(false);
    expect(r.refilingReason).toMatch(/^No re-filing \(R12\): the amendment does not go beyond the version it amends/);
    expect(r.refilingReason).toContain(field);
  });

  it('a purpose replaced by another is both removed and added: the addition triggers', () => {
    const r = diffTerms(
      base(),
      amend((t) => (t.annex.purposes = ['credit assessment', 'marketing'])),
      seeded,
    );
    expect(r.changes).toEqual([{ field: 'annex.purposes', changes: ['ADDED', 'REMOVED', 'CHANGED'] }]);
    expect(r.triggeredBy.map((h) => h.code)).toEqual(['PURPOSE_ADDED']);
  });

  it('the trigger list is the input: an inactive trigger is not met, an added one is', () => {
    const addPurpose = amend((t) => t.annex.purposes.push('marketing'));
    const inactive = seeded.map((t) => (t.code === 'PURPOSE_ADDED' ? { ...t, active: false } : t));
    expect(diffTerms(base(), addPurpose, inactive).refilingRequired).toBe(false);

    const dropPurpose = amend((t) => t.annex.purposes.pop());
    const stricter = [
      ...seeded,
      { code: 'PURPOSE_REMOVED', field: 'annex.purposes', change: 'REMOVED', active: true, source: 'assumption', confidence: 'A' } as const,
    ];
    expect(diffTerms(base(), dropPurpose, stricter)).toMatchObject({
      refilingRequired: true,
      triggers: ['annex.purposes'],
      triggeredBy: [{ code: 'PURPOSE_REMOVED', field: 'annex.purposes', change: 'REMOVED', source: 'assumption', confidence: 'A' }],
    });
    expect(diffTerms(base(), dropPurpose, []).refilingRequired).toBe(false);
  });

  it('lists every changed field in a fixed order and only the triggering ones as triggers', () => {
    const after = amend((t) => {
      t.expiryDate = '2028-01-23';
      t.annex.storageLocation.city = 'ZHUHAI';
      t.annex.purposes = ['credit assessment'];
      t.annex.otherMatters = 'x';
    });
    const r = diffTerms(base(), after, seeded);
    expect(r.changedFields).toEqual(['expiryDate', 'annex.purposes', 'annex.storageLocation.city', 'annex.otherMatters']);
    expect(r.triggers).toEqual(['annex.storageLocation.city']);
    expect(r.refilingRequired).toBe(true);
  });
});
