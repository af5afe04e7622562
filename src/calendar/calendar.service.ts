import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { validationFailed } from '../common/errors';
import { CalendarOverrideRow } from './calendar-override.entity';
import {
  CalendarOverride,
  CalendarValidationError,
  deadline as countDeadline,
  DeadlineResult,
  Jurisdiction,
} from './working-days';

/** A CalendarValidationError from the pure module as a 400 problem naming the field. */
export function toValidationProblem(error: unknown): unknown {
  if (error instanceof CalendarValidationError) {
    return validationFailed([{ field: error.field, rule: error.rule, message: error.message }]);
  }
  return error;
}

@Injectable()
export class CalendarService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * R9: the `workingDays`-th working day after `from` (day 0) on `jurisdiction`'s side, with the
   * administrators' overrides applied. Bad input → 400 VALIDATION_FAILED naming the field.
   * Pass `manager` to read the overrides inside a caller's transaction.
   */
  async deadline(
    jurisdiction: 'MAINLAND' | 'HONG_KONG',
    from: string,
    workingDays: number,
    manager?: EntityManager,
  ): Promise<{ deadline: string; provisional: boolean }> {
    let overrides: CalendarOverride[] = [];
    try {
      // Validate before touching the database, so a bad `from` never reaches a date column.
      countDeadline(jurisdiction, from, workingDays);
      overrides = await this.overridesAfter(jurisdiction, from, manager);
      const result: DeadlineResult = countDeadline(jurisdiction, from, workingDays, overrides);
      return { deadline: result.deadline, provisional: result.provisional };
    } catch (error) {
      throw toValidationProblem(error);
    }
  }

  /** Overrides on `jurisdiction`'s side strictly after `from` (day 0 itself is never counted). */
  private async overridesAfter(jurisdiction: Jurisdiction, from: string, manager?: EntityManager): Promise<CalendarOverride[]> {
    const rows = await (manager ?? this.dataSource.manager)
      .getRepository(CalendarOverrideRow)
      .find({ where: { jurisdiction, date: MoreThan(from) }, order: { date: 'ASC' } });
    return rows.map((r) => ({ jurisdiction: r.jurisdiction, date: r.date, kind: r.kind, reason: r.reason }));
  }
}
