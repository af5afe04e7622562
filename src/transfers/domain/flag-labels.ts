// The labels of the compliance flags (docs/rules.md#compliance-flags) in English, 繁體中文 and 简体中文, served by
// GET /reference (docs/api.md#code-lists) so the console shows no bare code.
import type { Labels } from '../../organisations/gba';
import type { ComplianceFlag } from './compliance-flags';

export const COMPLIANCE_FLAG_LABELS: Readonly<Record<ComplianceFlag, Labels>> = {
  AFTER_RETENTION_PERIOD: { en: 'After the retention period', 'zh-Hant': '超出保存期限', 'zh-Hans': '超出保存期限' },
  CATEGORY_NOT_IN_SCOPE: { en: 'Category not in the contract', 'zh-Hant': '個人信息種類不在合同範圍內', 'zh-Hans': '个人信息种类不在合同范围内' },
  CONTRACT_EXPIRED: { en: 'Contract expired', 'zh-Hant': '合同已屆滿', 'zh-Hans': '合同已届满' },
  CONTRACT_NOT_EFFECTIVE: { en: 'Contract not yet effective', 'zh-Hant': '合同尚未生效', 'zh-Hans': '合同尚未生效' },
  CONTRACT_TERMINATED: { en: 'Contract terminated', 'zh-Hant': '合同已終止', 'zh-Hans': '合同已终止' },
  DIRECTION_MISMATCH: { en: 'Direction does not match', 'zh-Hant': '傳輸方向不符', 'zh-Hans': '传输方向不符' },
  FILING_OVERDUE: { en: 'Filing overdue', 'zh-Hant': '備案逾期', 'zh-Hans': '备案逾期' },
  METHOD_NOT_IN_SCOPE: { en: 'Transfer method not in the contract', 'zh-Hant': '傳輸方式不在合同範圍內', 'zh-Hans': '传输方式不在合同范围内' },
  OCCURRED_IN_FUTURE: { en: 'Dated after it was logged', 'zh-Hant': '日期晚於記錄時間', 'zh-Hans': '日期晚于记录时间' },
  ONWARD_RECIPIENT_NOT_IN_ANNEX: { en: 'Onward recipient not in the annex', 'zh-Hant': '再提供的接收者不在附件內', 'zh-Hans': '再提供的接收者不在附件内' },
  ONWARD_RECIPIENT_OUTSIDE_GBA: { en: 'Onward recipient outside the GBA', 'zh-Hant': '再提供的接收者在大灣區以外', 'zh-Hans': '再提供的接收者在大湾区以外' },
  PIPIA_AFTER_TRANSFER: {
    en: 'PIPIA completed after the transfer',
    'zh-Hant': '個人信息保護影響評估於傳輸後完成',
    'zh-Hans': '个人信息保护影响评估于传输后完成',
  },
  PIPIA_MISSING: { en: 'PIPIA missing', 'zh-Hant': '欠缺個人信息保護影響評估', 'zh-Hans': '欠缺个人信息保护影响评估' },
  PURPOSE_NOT_IN_SCOPE: { en: 'Purpose not in the contract', 'zh-Hant': '目的不在合同範圍內', 'zh-Hans': '目的不在合同范围内' },
  SENSITIVE_NOT_IN_SCOPE: { en: 'Sensitive category not in the contract', 'zh-Hant': '敏感個人信息不在合同範圍內', 'zh-Hans': '敏感个人信息不在合同范围内' },
  SENSITIVE_WITHOUT_SEPARATE_CONSENT: {
    en: 'Sensitive information without separate consent',
    'zh-Hant': '敏感個人信息未取得單獨同意',
    'zh-Hans': '敏感个人信息未取得单独同意',
  },
};
