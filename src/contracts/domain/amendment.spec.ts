import { diffTerms } from './amendment';
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

describe('diffTerms (R12)', () => {
  it('identical terms: nothing changed, no re-filing', () => {
    const r = diffTerms(base(), base());
    expect(r).toEqual({ changedFields: [], refilingRequired: false, triggers: [], rule: expect.stringMatching(/^R12:/) });
  });

  it('reordered lists and whitespace/case differences in free text are not changes', () => {
    const after = amend((t) => {
      t.annex.purposes = ['Credit  Assessment', ' cross-boundary account opening'];
      t.annex.processingMethods = ['use', 'storage'];
      t.annex.personalInformationCategories = ['PROPERTY_FINANCIAL', 'BASIC_PROFILE', 'IDENTITY'];
      t.annex.transferMethod = 'Encrypted API over  dedicated line ';
    });
    expect(diffTerms(base(), after).changedFields).toEqual([]);
  });

  const triggers: Array<[string, (t: ContractTerms) => void]> = [
    ['annex.purposes', (t) => t.annex.purposes.push('marketing')],
    ['annex.purposes', (t) => t.annex.purposes.pop()],
    ['annex.processingMethods', (t) => t.annex.processingMethods.push('analysis')],
    ['annex.dataSubjectCategories', (t) => t.annex.dataSubjectCategories.push('employees')],
    ['annex.personalInformationCategories', (t) => t.annex.personalInformationCategories.push('LOCATION')],
    ['annex.personalInformationCategories', (t) => (t.annex.personalInformationCategories = ['BASIC_PROFILE'])],
    ['annex.sensitiveCategories', (t) => t.annex.sensitiveCategories.push('MEDICAL_HEALTH')],
    ['annex.sensitiveCategories', (t) => (t.annex.sensitiveCategories = [])],
    ['annex.transferMethod', (t) => (t.annex.transferMethod = 'SFTP')],
    ['annex.storageLocation.city', (t) => (t.annex.storageLocation.city = 'SHENZHEN')],
    ['annex.retentionPeriod.to', (t) => (t.annex.retentionPeriod.to = '2031-01-23')],
    ['annex.onwardRecipients', (t) => t.annex.onwardRecipients.push({ name: 'Cloud Co', city: 'SHENZHEN' })],
    ['annex.onwardRecipients', (t) => (t.annex.onwardRecipients[0].city = 'FOSHAN')],
  ];
  it.each(triggers)('%s change triggers re-filing (#%#)', (field, mutate) => {
    const r = diffTerms(base(), amend(mutate));
    expect(r.changedFields).toEqual([field]);
    expect(r.triggers).toEqual([field]);
    expect(r.refilingRequired).toBe(true);
  });

  const nonTriggers: Array<[string, (t: ContractTerms) => void]> = [
    ['expiryDate', (t) => (t.expiryDate = '2028-01-23')],
    ['expiryDate', (t) => (t.expiryDate = null)],
    ['effectiveDate', (t) => (t.effectiveDate = '2025-03-01')],
    ['annex.otherMatters', (t) => (t.annex.otherMatters = 'governing language: Chinese')],
    ['annex.retentionPeriod.to', (t) => (t.annex.retentionPeriod.to = '2029-01-23')],
    ['annex.retentionPeriod.from', (t) => (t.annex.retentionPeriod.from = '2025-02-01')],
    ['annex.onwardRecipients', (t) => (t.annex.onwardRecipients = [])],
    ['pipia.completedOn', (t) => (t.pipia.completedOn = '2025-01-12')],
    ['pipia.reportSha256', (t) => (t.pipia.reportSha256 = 'b'.repeat(64))],
  ];
  it.each(nonTriggers)('%s change alone does not trigger (#%#)', (field, mutate) => {
    const r = diffTerms(base(), amend(mutate));
    expect(r.changedFields).toEqual([field]);
    expect(r.triggers).toEqual([]);
    expect(r.refilingRequired).toBe(false);
  });

  it('lists every changed field in a fixed order and only the triggering ones as triggers', () => {
    const after = amend((t) => {
      t.expiryDate = '2028-01-23';
      t.annex.storageLocation.city = 'ZHUHAI';
      t.annex.purposes = ['credit assessment'];
      t.annex.otherMatters = 'x';
    });
    const r = diffTerms(base(), after);
    expect(r.changedFields).toEqual(['expiryDate', 'annex.purposes', 'annex.storageLocation.city', 'annex.otherMatters']);
    expect(r.triggers).toEqual(['annex.purposes', 'annex.storageLocation.city']);
    expect(r.refilingRequired).toBe(true);
  });
});
