// Code lists of the annex (docs/api.md#code-lists), with the labels GET /reference serves.

import type { Labels } from '../../organisations/gba';

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

/** Traditional Chinese as written in Hong Kong, Simplified as on the Mainland (as src/organisations/gba.ts). */
export const PERSONAL_INFORMATION_CATEGORY_LABELS: Readonly<Record<PersonalInformationCategory, Labels>> = {
  BASIC_PROFILE: { en: 'Basic profile', 'zh-Hant': '基本資料', 'zh-Hans': '基本数据' },
  IDENTITY: { en: 'Identity', 'zh-Hant': '身份資料', 'zh-Hans': '身份数据' },
  BIOMETRIC: { en: 'Biometric', 'zh-Hant': '生物識別', 'zh-Hans': '生物识别' },
  ONLINE_IDENTIFIER: { en: 'Online identifier', 'zh-Hant': '網絡身份標識', 'zh-Hans': '网络身份标识' },
  HEALTH: { en: 'Health', 'zh-Hant': '健康', 'zh-Hans': '健康' },
  EDUCATION_EMPLOYMENT: { en: 'Education and employment', 'zh-Hant': '教育及工作', 'zh-Hans': '教育及工作' },
  PROPERTY_FINANCIAL: { en: 'Property and financial', 'zh-Hant': '財產及財務', 'zh-Hans': '财产及财务' },
  COMMUNICATION: { en: 'Communication', 'zh-Hant': '通訊', 'zh-Hans': '通讯' },
  CONTACTS: { en: 'Contacts', 'zh-Hant': '聯絡人', 'zh-Hans': '联络人' },
  BROWSING_HISTORY: { en: 'Browsing history', 'zh-Hant': '瀏覽記錄', 'zh-Hans': '浏览记录' },
  DEVICE: { en: 'Device', 'zh-Hant': '裝置', 'zh-Hans': '装置' },
  LOCATION: { en: 'Location', 'zh-Hant': '位置', 'zh-Hans': '位置' },
  OTHER: { en: 'Other', 'zh-Hant': '其他', 'zh-Hans': '其他' },
};

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
