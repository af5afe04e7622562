import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import type { Principal } from '../common/roles';
import { CoverageView, CreateOverrideDto, DeadlineQuery, DeadlineView, ListOverridesQuery, OverrideView } from './calendar.dto';
import { CalendarOverrideRow } from './calendar-override.entity';
import type { RuleSide } from './holiday-rules';
import { listAhead } from './holiday-worker';
import {
  CalendarOverride,
  CalendarValidationError,
  DataCalendar,
  deadline as countDeadline,
  DeadlineResult,
  isPublishedYear,
  Jurisdiction,
  JURISDICTIONS,
  MAX_YEAR,
  MIN_YEAR,
  parseIsoDate,
  publishedYears,
} from './working-days';

// Read once at load: which package versions the published years come from.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a dependency's package.json, read as data when the module loads
const CHINESE_DAYS_VERSION = (require('chinese-days/package.json') as { version: string }).version;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a dependency's package.json, read as data when the module loads
const DATE_HOLIDAYS_VERSION = (require('date-holidays/package.json') as { version: string }).version;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a dependency's package.json, read as data when the module loads
const DATE_HOLIDAYS_PARSER_VERSION = (require('date-holidays-parser/package.json') as { version: string }).version;

function toOverrideView(r: CalendarOverrideRow): OverrideView {
  return {
    id: r.id,
    jurisdiction: r.jurisdiction,
    date: r.date,
    kind: r.kind,
    reason: r.reason,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
  };
}

/** A CalendarValidationError from the pure module as a 400 problem naming the field. */
export function toValidationProblem(error: unknown): unknown {
  if (error instanceof CalendarValidationError) {
    return validationFailed([{ field: error.field, rule: error.rule, message: error.message }]);
  }
  return error;
}

/**
 * The revision of the calendar data (calendar_overrides, calendar_jurisdictions) as a scalar SQL subquery of text:
 * the counter `calendar_revision`, owned by this module, which a statement trigger on both tables bumps in the
 * writing transaction (src/database/migrations/1795689100000-RevisionCounters.ts). Callers fold it into a query
 * they make anyway (POST /contracts reads it with the parties) and pass it to `deadlineAt`, which answers from
 * memory while it is unchanged: exact across instances (no TTL), at no extra round trip.
 */
export const CALENDAR_REVISION_SQL = `(SELECT revision::text FROM calendar_revision)`;

const CODE_CALENDARS: ReadonlySet<string> = new Set(JURISDICTIONS);

/** R9, R16: the calendar of a side with no calendar in code (calendar_jurisdictions), or undefined (a code calendar, or none). */
async function readDataCalendar(m: EntityManager, jurisdiction: string): Promise<DataCalendar | undefined> {
  if (typeof jurisdiction !== 'string' || CODE_CALENDARS.has(jurisdiction)) return undefined;
  const rows: Array<{ restDays: number[]; publishedYears: number[] }> = await m.query(
    `SELECT rest_days AS "restDays", published_years AS "publishedYears" FROM calendar_jurisdictions WHERE jurisdiction = $1`,
    [jurisdiction],
  );
  return rows[0];
}

const DEADLINE_MEMO_CAPACITY = 10_000;

/** Where each side's published years come from; any other year counts holidays by rule (R9). */
const COVERAGE_SOURCES: Record<Jurisdiction, CoverageView['source']> = {
  MAINLAND: {
    package: 'chinese-days',
    version: CHINESE_DAYS_VERSION,
    description:
      'State Council General Office holiday notices, with make-up working days (调休); other years: the statutory holidays of 全国年节及纪念日放假办法 (2024) by rule, without make-up working days',
  },
  HONG_KONG: {
    package: 'date-holidays',
    version: DATE_HOLIDAYS_VERSION,
    description:
      'Hong Kong general holidays (Cap. 149) as listed on gov.hk; other years: the same rules, not yet checked against the gazette; Saturdays and Sundays off',
  },
  MACAO: {
    package: 'date-holidays-parser',
    version: DATE_HOLIDAYS_PARSER_VERSION,
    description:
      "Macao public holidays (Executive Order 60/2000) and the public administration's compensatory days, by rule; published years add the year's full days of exemption from work; Saturdays and Sundays off",
  },
};

/**
 * A count by rule (R9) from `from` reads the holidays of its year and the next (a deadline of up to a few hundred
 * working days): list them in a worker thread first (./holiday-worker.ts), so that neither the notices' scan nor a
 * filing computes them on the event loop. The Mainland's published years are data, not rules. A count that runs past
 * the next year lists the rest on first use, here.
 */
async function listHolidaysAhead(jurisdiction: string, from: string, data: DataCalendar | undefined): Promise<void> {
  if (data || !CODE_CALENDARS.has(jurisdiction) || !/^\d{4}-\d{2}-\d{2}$/.test(from)) return;
  const side = jurisdiction as RuleSide;
  const year = Number(from.slice(0, 4));
  await listAhead(
    side,
    [year, year + 1].filter((y) => y >= MIN_YEAR && y <= MAX_YEAR && !(side === 'MAINLAND' && isPublishedYear(side, y))),
  );
}

@Injectable()
export class CalendarService {
  /** Deadlines per (jurisdiction, from, workingDays), and every override, valid for `memoRevision`. */
  private readonly deadlines = new Map<string, { deadline: string; provisional: boolean }>();
  private allOverrides: CalendarOverride[] | null = null;
  /** The data calendars read for `memoRevision` (undefined: a code calendar, or none). */
  private readonly dataCalendars = new Map<string, DataCalendar | undefined>();
  private memoRevision: string | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * R9: the `workingDays`-th working day after `from` (day 0) on `jurisdiction`'s side, with the
   * administrators' overrides applied. Bad input → 400 VALIDATION_FAILED naming the field.
   * Pass `manager` to read the overrides inside a caller's transaction.
   */
  async deadline(jurisdiction: Jurisdiction, from: string, workingDays: number, manager?: EntityManager): Promise<DeadlineView> {
    try {
      const data = await readDataCalendar(manager ?? this.dataSource.manager, jurisdiction);
      await listHolidaysAhead(jurisdiction, from, data);
      // Validate before touching the database, so a bad `from` never reaches a date column.
      countDeadline(jurisdiction, from, workingDays, [], data);
      const overrides = await this.overridesAfter(jurisdiction, from, manager);
      const result: DeadlineResult = countDeadline(jurisdiction, from, workingDays, overrides, data);
      return { deadline: result.deadline, provisional: result.provisional, provisionalYears: result.provisionalYears };
    } catch (error) {
      throw toValidationProblem(error);
    }
  }

  /**
   * `deadline` for a caller that has read CALENDAR_REVISION_SQL: the overrides are read once per
   * revision (after the caller read it, so never older), and each (jurisdiction, from, workingDays)
   * is counted once (date-holidays is slow to count Hong Kong's holidays). A changed revision drops both.
   */
  async deadlineAt(
    jurisdiction: Jurisdiction,
    from: string,
    workingDays: number,
    revision: string,
    manager?: EntityManager,
  ): Promise<{ deadline: string; provisional: boolean }> {
    if (this.memoRevision !== revision) {
      this.deadlines.clear();
      this.dataCalendars.clear();
      this.allOverrides = null;
      this.memoRevision = revision;
    }
    const key = `${jurisdiction}|${from}|${workingDays}`;
    const hit = this.deadlines.get(key);
    if (hit) return { ...hit };
    try {
      let data = this.dataCalendars.get(jurisdiction);
      if (!this.dataCalendars.has(jurisdiction)) {
        data = await readDataCalendar(manager ?? this.dataSource.manager, jurisdiction);
        if (this.memoRevision === revision) this.dataCalendars.set(jurisdiction, data);
      }
      await listHolidaysAhead(jurisdiction, from, data);
      // Validate before touching the database, as `deadline` does.
      countDeadline(jurisdiction, from, workingDays, [], data);
      let all = this.allOverrides;
      if (!all) {
        const rows = await (manager ?? this.dataSource.manager).getRepository(CalendarOverrideRow).find({ order: { date: 'ASC' } });
        all = rows.map((r) => ({ jurisdiction: r.jurisdiction, date: r.date, kind: r.kind, reason: r.reason }));
        if (this.memoRevision === revision) this.allOverrides = all;
      }
      // The same overrides `deadline` passes: this side's, strictly after day 0, by date.
      const overrides = all.filter((o) => o.jurisdiction === jurisdiction && o.date > from);
      const result: DeadlineResult = countDeadline(jurisdiction, from, workingDays, overrides, data);
      const answer = { deadline: result.deadline, provisional: result.provisional };
      if (this.memoRevision === revision) {
        if (this.deadlines.size >= DEADLINE_MEMO_CAPACITY) this.deadlines.clear();
        this.deadlines.set(key, answer);
      }
      return { ...answer };
    } catch (error) {
      throw toValidationProblem(error);
    }
  }

  /** GET /calendar/deadline: every parameter is required; the pure module names the bad one. */
  async deadlineFromQuery(query: DeadlineQuery): Promise<DeadlineView> {
    const missing: FieldError[] = (['jurisdiction', 'from', 'workingDays'] as const)
      .filter((field) => query[field] === undefined || query[field] === '')
      .map((field) => ({ field, rule: 'required', message: `${field} is required` }));
    if (missing.length) throw validationFailed(missing);
    const raw = query.workingDays!;
    // Digits only: "10.0", "1e1" and " 10" are not whole numbers as written.
    const workingDays = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
    return this.deadline(query.jurisdiction as Jurisdiction, query.from!, workingDays);
  }

  async createOverride(principal: Principal, dto: CreateOverrideDto): Promise<OverrideView> {
    try {
      parseIsoDate(dto.date, 'date');
      if (!CODE_CALENDARS.has(dto.jurisdiction) && !(await readDataCalendar(this.dataSource.manager, dto.jurisdiction))) {
        throw new CalendarValidationError(
          'jurisdiction',
          'JURISDICTION_UNKNOWN',
          `jurisdiction must be one of ${JURISDICTIONS.join(', ')} or a side whose calendar is data`,
        );
      }
    } catch (error) {
      throw toValidationProblem(error);
    }
    const repo = this.dataSource.getRepository(CalendarOverrideRow);
    try {
      const saved = await repo.save(
        repo.create({
          jurisdiction: dto.jurisdiction,
          date: dto.date,
          kind: dto.kind,
          reason: dto.reason,
          createdBy: principal.kind === 'user' ? principal.id : null,
        }),
      );
      return toOverrideView(await repo.findOneByOrFail({ id: saved.id }));
    } catch (error) {
      const e = error as { code?: string; driverError?: { code?: string } };
      if (e.code === '23505' || e.driverError?.code === '23505') {
        throw new DomainError(ErrorCode.DUPLICATE_CALENDAR_OVERRIDE, 'Override already exists', {
          detail: `${dto.jurisdiction} already has a ${dto.kind} override on ${dto.date}`,
        });
      }
      throw error;
    }
  }

  async listOverrides(query: ListOverridesQuery): Promise<OverrideView[]> {
    const qb = this.dataSource.getRepository(CalendarOverrideRow).createQueryBuilder('o');
    if (query.jurisdiction) qb.andWhere('o.jurisdiction = :j', { j: query.jurisdiction });
    if (query.year !== undefined) {
      if (!/^\d{4}$/.test(query.year)) {
        throw validationFailed([{ field: 'year', rule: 'DATE_FORMAT', message: 'year must be written YYYY' }]);
      }
      qb.andWhere('o.date BETWEEN :start AND :end', { start: `${query.year}-01-01`, end: `${query.year}-12-31` });
    }
    const rows = await qb.orderBy('o.date', 'ASC').addOrderBy('o.jurisdiction', 'ASC').addOrderBy('o.kind', 'ASC').getMany();
    return rows.map(toOverrideView);
  }

  /** Which years each side's official calendar is published for; any other year is provisional (R9). */
  coverage(): CoverageView[] {
    return JURISDICTIONS.map((jurisdiction) => ({
      jurisdiction,
      publishedYears: [...publishedYears(jurisdiction)],
      source: COVERAGE_SOURCES[jurisdiction],
    }));
  }

  /** Overrides on `jurisdiction`'s side strictly after `from` (day 0 itself is never counted). */
  private async overridesAfter(jurisdiction: Jurisdiction, from: string, manager?: EntityManager): Promise<CalendarOverride[]> {
    const rows = await (manager ?? this.dataSource.manager)
      .getRepository(CalendarOverrideRow)
      .find({ where: { jurisdiction, date: MoreThan(from) }, order: { date: 'ASC' } });
    return rows.map((r) => ({ jurisdiction: r.jurisdiction, date: r.date, kind: r.kind, reason: r.reason }));
  }
}
