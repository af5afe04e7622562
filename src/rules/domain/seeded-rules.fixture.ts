import type { RefilingTrigger } from './data-rules';

/**
 * The re-filing triggers migration 1795688000000 seeds (docs/rules.md#r12), for the domain unit tests (kept out
 * of the build by tsconfig.build.json). A fresh array each call, so tests may change it.
 */
export function seededRefilingTriggers(): RefilingTrigger[] {
  const clyde = 'Law-firm summaries: Clyde & Co (May 2024)';
  return [
    { code: 'PURPOSE_ADDED', field: 'annex.purposes', change: 'ADDED', active: true, source: clyde, confidence: 'C' },
    { code: 'PROCESSING_METHOD_ADDED', field: 'annex.processingMethods', change: 'ADDED', active: true, source: clyde, confidence: 'C' },
    { code: 'DATA_SUBJECT_CATEGORY_ADDED', field: 'annex.dataSubjectCategories', change: 'ADDED', active: true, source: 'assumption', confidence: 'A' },
    {
      code: 'PERSONAL_INFORMATION_CATEGORY_ADDED',
      field: 'annex.personalInformationCategories',
      change: 'ADDED',
      active: true,
      source: clyde,
      confidence: 'C',
    },
    { code: 'SENSITIVE_CATEGORY_ADDED', field: 'annex.sensitiveCategories', change: 'ADDED', active: true, source: 'assumption', confidence: 'A' },
    { code: 'ONWARD_RECIPIENT_ADDED', field: 'annex.onwardRecipients', change: 'ADDED', active: true, source: 'assumption', confidence: 'A' },
    { code: 'RETENTION_EXTENDED', field: 'annex.retentionPeriod.to', change: 'EXTENDED', active: true, source: 'assumption', confidence: 'A' },
    { code: 'STORAGE_LOCATION_CHANGED', field: 'annex.storageLocation.city', change: 'CHANGED', active: true, source: 'assumption', confidence: 'A' },
    { code: 'TRANSFER_METHOD_CHANGED', field: 'annex.transferMethod', change: 'CHANGED', active: true, source: 'assumption', confidence: 'A' },
  ];
}
