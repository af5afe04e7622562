// Code lists of the annex (docs/api.md#code-lists).

/** Personal-information categories, after GB/T 35273-2020 (Information security technology — Personal information security specification) annex A. */
export const PERSONAL_INFORMATION_CATEGORIES = [
  'BASIC_PROFILE',
  'IDENTITY',
  'BIOMETRIC',
  'ONLINE_IDENTIFIER',
  'HEALTH',
  'EDUCATION_EMPLOYMENT',
  'PROPERTY_FINANCIAL',
  'COMMUNICATION',
  'CONTACTS',
  'BROWSING_HISTORY',
  'DEVICE',
  'LOCATION',
  'OTHER',
] as const;
export type PersonalInformationCategory = (typeof PERSONAL_INFORMATION_CATEGORIES)[number];

/**
 * Sensitive personal information, after PIPL art. 28: biometrics, religious
 * belief, specific identity, medical health, financial accounts, whereabouts,
 * and the personal information of minors under 14.
 */
export const SENSITIVE_CATEGORIES = [
  'BIOMETRIC',
  'RELIGIOUS_BELIEF',
  'SPECIFIC_IDENTITY',
  'MEDICAL_HEALTH',
  'FINANCIAL_ACCOUNT',
  'WHEREABOUTS',
  'MINOR_UNDER_14',
] as const;
export type SensitiveCategory = (typeof SENSITIVE_CATEGORIES)[number];
