import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode, FieldError, notFound, validationFailed } from '../common/errors';
import { isIllegalTransition } from '../common/lifecycle';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndUuid, Page } from '../common/pagination';
import { namedParameters } from '../access/access';
import { AccessService } from '../access/access.service';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { OrganisationsService } from '../organisations/organisations.service';
import { enrolmentScope, mayTakeAction } from './enrolment-access';
import { ENROLMENT_ACTION_ACTOR, enrolmentLifecycle } from './enrolment-lifecycle';
import { illegalTransitionProblem, recordEnrolmentChange } from './enrolment-history';
import { RolloutEnrolment, RolloutEnrolmentHistory } from './enrolment.entity';
import { RolloutPhase } from './phase.entity';
import { ChangeEnrolmentDto, CreateEnrolmentDto, EnrolmentHistoryView, EnrolmentView, ListEnrolmentsQuery } from './rollout.dto';
import { RolloutService } from './rollout.service';
import { isUniqueViolation } from './unique-violation';
import { openingPhase, phaseCoversSector } from './sector-gate';
import { RolloutSector } from './sector.entity';

/** Where the enrolments table keeps what the access policy reads (`enrolmentScope`). */
const ENROLMENT_SCOPE_COLUMNS = { parties: ['e.organisation_id'], sides: ['e.jurisdiction'] };

@Injectable()
export class EnrolmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly rollout: RolloutService,
    private readonly access: AccessService,
  ) {}

  private async view(manager: EntityManager, e: RolloutEnrolment): Promise<EnrolmentView> {
    const phase = e.phaseId ? await manager.getRepository(RolloutPhase).findOneBy({ id: e.phaseId }) : null;
    return toEnrolmentView(e, phase?.number ?? null);
  }

  /** An organisation expresses interest in a regime, phase and sector (→ INTERESTED). */
  async register(principal: Principal, dto: CreateEnrolmentDto): Promise<EnrolmentView> {
    const organisation = principal.organisationId ? await this.organisations.findById(principal.organisationId) : null;
    if (!organisation) throw notFound('Organisation');
    const sector = dto.sector ?? organisation.sector;
    return inTransaction(this.dataSource, async (manager) => {
      const errors: FieldError[] = [];
      const rules = await this.rollout.rules(dto.regime, manager);
      if (!rules.regime) errors.push({ field: 'regime', rule: 'exists', message: `regime ${dto.regime} does not exist` });
      if (!(await manager.getRepository(RolloutSector).existsBy({ code: sector }))) {
        errors.push({ field: 'sector', rule: 'exists', message: `sector ${sector} does not exist` });
      }
      let phaseId: string | null = null;
      if (rules.regime && dto.phaseId) {
        const phase = rules.phases.find((p) => p.id === dto.phaseId);
        if (!phase) errors.push({ field: 'phaseId', rule: 'exists', message: `phase ${dto.phaseId} is not a phase of ${dto.regime}` });
        else if (!phaseCoversSector(phase, sector)) {
          errors.push({ field: 'phaseId', rule: 'coversSector', message: `phase ${phase.number} of ${dto.regime} does not cover sector ${sector}` });
        } else phaseId = phase.id;
      } else if (rules.regime) {
        phaseId = openingPhase(rules.phases, sector)?.id ?? null;
      }
      if (errors.length) throw validationFailed(errors);

      const repo = manager.getRepository(RolloutEnrolment);
      let enrolment: RolloutEnrolment;
      try {
        enrolment = await repo.save(
          repo.create({
            organisationId: organisation.id,
            regimeCode: dto.regime,
            phaseId,
            sectorCode: sector,
            jurisdiction: organisation.jurisdiction,
            status: 'INTERESTED',
            createdBy: principal.id,
          }),
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DomainError(ErrorCode.DUPLICATE_ENROLMENT, 'Already enrolled', {
            detail: `the organisation already has a live enrolment under ${dto.regime} for sector ${sector}`,
          });
        }
        throw error;
      }
      await recordEnrolmentChange(manager, enrolment, {
        action: 'REGISTER',
        from: null,
        to: 'INTERESTED',
        reason: null,
        actorId: principal.id,
        actorRole: principal.role,
      });
      return this.view(manager, enrolment);
    });
  }

  /** ENROL / DECLINE / WITHDRAW, through the declared table; 404 before 403 before 409. */
  async change(principal: Principal, id: string, dto: ChangeEnrolmentDto): Promise<EnrolmentView> {
    return inTransaction(this.dataSource, async (manager) => {
      const enrolment = this.access.require(
        principal,
        'enrolment.read',
        await manager.getRepository(RolloutEnrolment).createQueryBuilder('e').setLock('pessimistic_write').where('e.id = :id', { id }).getOne(),
        enrolmentScope,
        'Enrolment',
      );
      if (!mayTakeAction(principal, dto.action, enrolment)) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', {
          detail:
            ENROLMENT_ACTION_ACTOR[dto.action] === 'ORGANISATION'
              ? `only the organisation's own users may ${dto.action}`
              : `only a system administrator or a regulator of the organisation's side (not the PCPD) may ${dto.action}`,
        });
      }
      let to;
      try {
        to = enrolmentLifecycle.next(enrolment.status, dto.action);
      } catch (error) {
        if (isIllegalTransition(error)) throw illegalTransitionProblem(error);
        throw error;
      }
      await recordEnrolmentChange(manager, enrolment, {
        action: dto.action,
        from: enrolment.status,
        to,
        reason: dto.reason ?? null,
        actorId: principal.id,
        actorRole: principal.role,
      });
      const updated = await manager.getRepository(RolloutEnrolment).findOneByOrFail({ id });
      return this.view(manager, updated);
    });
  }

  private async getVisible(principal: Principal, id: string): Promise<RolloutEnrolment> {
    const enrolment = await this.dataSource.getRepository(RolloutEnrolment).findOneBy({ id });
    return this.access.require(principal, 'enrolment.read', enrolment, enrolmentScope, 'Enrolment');
  }

  async get(principal: Principal, id: string): Promise<EnrolmentView> {
    return this.view(this.dataSource.manager, await this.getVisible(principal, id));
  }

  async history(principal: Principal, id: string): Promise<EnrolmentHistoryView[]> {
    await this.getVisible(principal, id);
    const rows = await this.dataSource.getRepository(RolloutEnrolmentHistory).find({ where: { enrolmentId: id }, order: { id: 'ASC' } });
    return rows.map((h) => ({
      action: h.action,
      fromStatus: h.fromStatus,
      toStatus: h.toStatus,
      reason: h.reason,
      actorId: h.actorId,
      actorRole: h.actorRole,
      occurredAt: h.occurredAt.toISOString(),
    }));
  }

  async list(principal: Principal, query: ListEnrolmentsQuery): Promise<Page<EnrolmentView>> {
    const limit = query.limit ?? 50;
    const scope = cursorScope('rollout/enrolments', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope) as [string, string] | null;
    const qb = this.dataSource
      .getRepository(RolloutEnrolment)
      .createQueryBuilder('e')
      .leftJoin(RolloutPhase, 'p', 'p.id = e.phase_id')
      .addSelect('p.number', 'phase_number')
      // The cursor carries microseconds: a JS Date would truncate to milliseconds and repeat rows.
      .addSelect(`to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'cursor_at');
    const bind = namedParameters((name, value) => qb.setParameter(name, value));
    qb.andWhere(this.access.sqlWhere(principal, 'enrolment.read', ENROLMENT_SCOPE_COLUMNS, bind));
    if (query.regime) qb.andWhere('e.regime_code = :regime', { regime: query.regime });
    if (query.status) qb.andWhere('e.status = :status', { status: query.status });
    if (query.sector) qb.andWhere('e.sector_code = :sector', { sector: query.sector });
    if (query.organisationId) qb.andWhere('e.organisation_id = :org', { org: query.organisationId });
    if (after) qb.andWhere('(e.created_at, e.id) > (:at::timestamptz, :id::uuid)', { at: after[0], id: after[1] });
    const { entities, raw } = await qb
      .orderBy('e.created_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(limit + 1)
      .getRawAndEntities();
    const items = entities.slice(0, limit).map((e, i) => {
      const n = (raw[i] as { phase_number: number | null }).phase_number;
      return toEnrolmentView(e, n === null ? null : Number(n));
    });
    const last = entities[limit - 1];
    const lastAt = (raw[limit - 1] as { cursor_at?: string } | undefined)?.cursor_at;
    return {
      items,
      nextCursor: entities.length > limit && last && lastAt ? encodeCursor([lastAt, last.id], scope) : null,
    };
  }
}

export function toEnrolmentView(e: RolloutEnrolment, phaseNumber: number | null): EnrolmentView {
  return {
    id: e.id,
    organisationId: e.organisationId,
    regime: e.regimeCode,
    phaseId: e.phaseId,
    phaseNumber,
    sector: e.sectorCode,
    jurisdiction: e.jurisdiction,
    status: e.status,
    allowedActions: enrolmentLifecycle.allowedActions(e.status),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}
