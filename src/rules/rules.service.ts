import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound, validationFailed } from '../common/errors';
import type { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import {
  ALL_REGIMES,
  Confidence,
  isRuleSettingCode,
  RefilingTrigger,
  RegimeRuleSettings,
  RULE_SETTINGS,
  RuleSettingRow,
  settingsFor,
  triggerProblems,
} from './domain/data-rules';
import { RefilingTriggerRow } from './refiling-trigger.entity';
import { labelsOf, ruleDataOf, sourceView } from './rule-data-columns';
import { RuleSetting } from './rule-setting.entity';
import { DataRulesView, PutRefilingTriggerDto, TRIGGER_CODE, PutRuleSettingDto, RefilingTriggerView, RuleSettingView } from './rules.dto';

/**
 * The revision of the rule settings as a scalar SQL subquery of text: the counter `rules_revision`, owned by this
 * module, which a statement trigger on rule_settings bumps in the writing transaction
 * (src/database/migrations/1795689100000-RevisionCounters.ts). POST /contracts folds it into the query it makes
 * anyway, answers from `settingsAt` while it is unchanged, and writes only if it is still the same.
 */
export const RULES_REVISION_SQL = `(SELECT revision::text FROM rules_revision)`;

function toSettingView(r: RuleSetting): RuleSettingView {
  const spec = isRuleSettingCode(r.code) ? RULE_SETTINGS[r.code] : null;
  return {
    code: r.code,
    rule: spec?.rule ?? '',
    regime: r.regime === ALL_REGIMES ? null : r.regime,
    value: r.value,
    values: spec ? [...spec.values] : [],
    ...sourceView(r),
  };
}

function toTriggerView(r: RefilingTriggerRow): RefilingTriggerView {
  return {
    code: r.code,
    rule: 'R12',
    field: r.field,
    change: r.change,
    active: r.active,
    ...sourceView(r),
  };
}

/** The rules that are data (docs/rules.md#rules-as-data): read by the rules they parameterise, changed by a SYSTEM_ADMIN. */
@Injectable()
export class RulesService {
  private cached: { revision: string; rows: RuleSettingRow[] } | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** The settings in force for `regime`, read now (in `manager`'s transaction if given). */
  async settingsFor(regime: string, manager?: EntityManager): Promise<RegimeRuleSettings> {
    const rows = await this.manager(manager).find(RuleSetting, { select: { code: true, regime: true, value: true } });
    return settingsFor(rows, regime);
  }

  /**
   * `settingsFor` for a caller that has read RULES_REVISION_SQL: the rows are read once per revision. They are
   * read after the caller read the revision, so they are never older than it.
   */
  async settingsAt(regime: string, revision: string): Promise<RegimeRuleSettings> {
    if (this.cached?.revision !== revision) {
      const rows = await this.dataSource.manager.find(RuleSetting, { select: { code: true, regime: true, value: true } });
      this.cached = { revision, rows: rows.map(({ code, regime: r, value }) => ({ code, regime: r, value })) };
    }
    return settingsFor(this.cached.rows, regime);
  }

  /** R12: the re-filing triggers, in code order (in `manager`'s transaction if given). */
  async refilingTriggers(manager?: EntityManager): Promise<RefilingTrigger[]> {
    const rows = await this.manager(manager).find(RefilingTriggerRow, { order: { code: 'ASC' } });
    return rows
      .filter((r) => triggerProblems(r.field, r.change).length === 0)
      .map((r) => ({
        code: r.code,
        field: r.field as RefilingTrigger['field'],
        change: r.change as RefilingTrigger['change'],
        active: r.active,
        source: r.source,
        confidence: r.confidence as Confidence,
      }));
  }

  /** Every rule that is data, with its source and confidence (GET /reference). */
  async dataRules(): Promise<DataRulesView> {
    const [settings, triggers] = await Promise.all([
      this.dataSource.manager.find(RuleSetting, { order: { code: 'ASC', regime: 'ASC' } }),
      this.dataSource.manager.find(RefilingTriggerRow, { order: { code: 'ASC' } }),
    ]);
    return { ruleSettings: settings.map(toSettingView), refilingTriggers: triggers.map(toTriggerView) };
  }

  /** PUT /rules/settings/:code: the value of a setting for every regime, or for one. */
  async putSetting(principal: Principal, code: string, dto: PutRuleSettingDto): Promise<RuleSettingView> {
    if (!isRuleSettingCode(code)) throw notFound(`Rule setting ${code}`);
    const allowed: readonly string[] = RULE_SETTINGS[code].values;
    if (!allowed.includes(dto.value)) {
      throw validationFailed([{ field: 'value', rule: RULE_SETTINGS[code].rule, message: `${code} is one of ${allowed.join(', ')}` }]);
    }
    const regime = dto.regime ?? ALL_REGIMES;
    return inTransaction(this.dataSource, async (m) => {
      const existing = (await m.findOneBy(RuleSetting, { code, regime })) ?? (await m.findOneBy(RuleSetting, { code, regime: ALL_REGIMES }));
      const labels = dto.labels ?? (existing ? labelsOf(existing) : null);
      if (!labels) throw validationFailed([{ field: 'labels', rule: 'required', message: 'labels are required for a setting without a row for every regime' }]);
      const row: RuleSetting = {
        code,
        regime,
        value: dto.value,
        ...ruleDataOf(principal, dto, labels),
      };
      await m.upsert(RuleSetting, row, ['code', 'regime']);
      return toSettingView(row);
    });
  }

  /** PUT /rules/refiling-triggers/:code: a re-filing trigger added or changed (R12). */
  async putTrigger(principal: Principal, code: string, dto: PutRefilingTriggerDto): Promise<RefilingTriggerView> {
    const problems = [
      ...(TRIGGER_CODE.test(code) ? [] : [{ field: 'code', rule: 'R12', message: 'must be upper-case letters, digits and _, such as PURPOSE_ADDED' }]),
      ...triggerProblems(dto.field, dto.change),
    ];
    if (problems.length) throw validationFailed(problems);
    return inTransaction(this.dataSource, async (m) => {
      const existing = await m.findOneBy(RefilingTriggerRow, { code });
      const labels = dto.labels ?? (existing ? labelsOf(existing) : null);
      if (!labels) throw validationFailed([{ field: 'labels', rule: 'required', message: 'labels are required for a new trigger' }]);
      const row: RefilingTriggerRow = {
        code,
        field: dto.field,
        change: dto.change,
        active: dto.active ?? true,
        ...ruleDataOf(principal, dto, labels),
      };
      await m.upsert(RefilingTriggerRow, row, ['code']);
      return toTriggerView(row);
    });
  }
}
