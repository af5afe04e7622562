/**
 * What a clean transfer record sends under the example contract of docs/api.md#example-post-contracts
 * (`sampleTerms`, `contractBody`): Mainland → Hong Kong, categories, purpose and method within its annex, separate
 * consent obtained. The caller adds the contract, the time, the onward recipient, the digest and the reference. For
 * unit and integration tests (kept out of the build by tsconfig.build.json); a fresh object each call.
 */
export function sampleTransfer() {
  return {
    direction: 'MAINLAND_TO_HK' as const,
    dataSubjectCount: 120,
    recordCount: 480,
    personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY'],
    sensitiveCategories: [] as string[],
    purposes: ['credit assessment'],
    transferMethod: 'encrypted API over dedicated line',
    separateConsentObtained: true,
  };
}
