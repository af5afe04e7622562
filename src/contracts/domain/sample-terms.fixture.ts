import type { ContractTerms } from './contract-rules';

/**
 * The example contract terms of docs/api.md#example-post-contracts, for the domain unit tests (kept out of
 * the build by tsconfig.build.json). A fresh object each call, so tests may mutate it.
 */
export function sampleTerms(overrides: Partial<ContractTerms> = {}, annex: Partial<ContractTerms['annex']> = {}): ContractTerms {
  return {
    regime: 'GBA_MAINLAND_HK',
    effectiveDate: '2025-01-24',
    expiryDate: '2027-01-23',
    importantDataIncluded: false,
    annex: {
      purposes: ['cross-boundary account opening', 'credit assessment'],
      processingMethods: ['storage', 'use'],
      dataSubjectCategories: ['retail customers'],
      personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY', 'PROPERTY_FINANCIAL'],
      sensitiveCategories: ['FINANCIAL_ACCOUNT'],
      onwardRecipients: [{ name: 'Audit Co', city: 'GUANGZHOU' }],
      transferMethod: 'encrypted API over dedicated line',
      retentionPeriod: { from: '2025-01-24', to: '2030-01-23' },
      storageLocation: { city: 'HONG_KONG' },
      otherMatters: '',
      ...annex,
    },
    pipia: { completedOn: '2025-01-10', conclusion: 'risks acceptable', reportSha256: 'a'.repeat(64) },
    ...overrides,
  };
}
