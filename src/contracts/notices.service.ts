import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { namedParameters } from '../access/access';
import { AccessService } from '../access/access.service';
import { CalendarService } from '../calendar/calendar.service';
import { Page } from '../common/pagination';
import { Principal } from '../common/roles';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { inTransaction } from '../database/transaction';
import { forbidden, refuseIf } from './contract-problems';
import { gbaToday } from './contract-views';
import { ListNoticesQuery } from './contract.dto';
import type { IsoDate, Jurisdiction } from './domain/contract-rules';
import { acknowledgedRefusal, NoticeFiling, NoticeKind, planNotices } from './domain/notices';
import type { FilingParty } from './filing.entity';
import { acknowledgeNotice, findNotice, insertNotices, NewNotice, NOTICE_SCOPE_COLUMNS, noticeScope, NoticeRow, noticesPage } from './notices.repository';

export interface NoticeView {
  id: string;
  contractId: string;
  processorId: string;
  recipientId: string;
  kind: NoticeKind;
  /** The party whose side's authority the notice is addressed to. */
  party: FilingParty;
  authority: string;
  side: string;
  /** The contract's termination date, or its expiry date. */
  endedOn: IsoDate;
  /** Acknowledge by this date (NOTICE_ACKNOWLEDGE_WORKING_DAYS working days in the side's calendar, R9). */
  dueOn: IsoDate;
  provisional: boolean;
  /** Not acknowledged and past its due date on today's GBA date; computed, never stored. */
  overdue: boolean;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

/** The facts a contract's notices are planned from: its parties' sides and the filings in force (R8). */
export interface NoticeSubject {
  contractId: string;
  processorJurisdiction: Jurisdiction;
  recipientJurisdiction: Jurisdiction;
  filings: readonly NoticeFiling[];
}

const REGISTRY_PAGE = 50;

function toNoticeView(n: NoticeRow, today: IsoDate): NoticeView {
  return {
    id: n.id,
    contractId: n.contractId,
    processorId: n.processorId,
    recipientId: n.recipientId,
    kind: n.kind,
    party: n.party,
    authority: n.authority,
    side: n.side,
    endedOn: n.endedOn,
    dueOn: n.dueOn,
    provisional: n.provisional,
    overdue: n.acknowledgedAt === null && n.dueOn < today,
    createdAt: n.createdAt.toISOString(),
    acknowledgedAt: n.acknowledgedAt ? n.acknowledgedAt.toISOString() : null,
    acknowledgedBy: n.acknowledgedBy,
  };
}

/**
 * The regulators' queue of contracts' ends (docs/rules.md#r13): a termination or an expiry is a notice to the
 * authority of each party's side, written in the transaction that terminates the contract or by the expiry scan
 * (`ContractNotices`), listed as the access policy scopes it (`notice.read`) and acknowledged once by the
 * authority it is addressed to (`notice.acknowledge`).
 */
@Injectable()
export class NoticesService {
  private readonly workingDays: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly calendar: CalendarService,
    private readonly access: AccessService,
  ) {
    this.workingDays = config.noticeAcknowledgeWorkingDays;
  }

  /**
   * The notices of `kind` for each subject, due NOTICE_ACKNOWLEDGE_WORKING_DAYS working days after `today` in
   * each side's calendar (R9), with the calendar read in `m`.
   */
  async plan(m: EntityManager, kind: NoticeKind, subjects: ReadonlyArray<NoticeSubject & { endedOn: IsoDate }>, today: IsoDate): Promise<NewNotice[]> {
    const due = new Map<Jurisdiction, { deadline: string; provisional: boolean }>();
    const out: NewNotice[] = [];
    for (const s of subjects) {
      const planned = planNotices(kind, s.endedOn, { processor: s.processorJurisdiction, recipient: s.recipientJurisdiction }, s.filings);
      for (const p of planned) {
        if (!due.has(p.side)) due.set(p.side, await this.calendar.deadline(p.side, today, this.workingDays, m));
        const { deadline, provisional } = due.get(p.side)!;
        out.push({ ...p, contractId: s.contractId, dueOn: deadline, provisional });
      }
    }
    return out;
  }

  /** Records the notices in `m`'s transaction; those already recorded are left as they are. */
  record(m: EntityManager, notices: readonly NewNotice[]): Promise<number> {
    return insertNotices(m, notices);
  }

  async list(principal: Principal, query: ListNoticesQuery): Promise<Page<NoticeView>> {
    const page = await noticesPage(
      this.dataSource.manager,
      (bind) => this.access.sqlWhere(principal, 'notice.read', NOTICE_SCOPE_COLUMNS, namedParameters(bind, 'access')),
      query,
      query.limit ?? REGISTRY_PAGE,
    );
    const today = gbaToday();
    return { items: page.items.map((n) => toNoticeView(n, today)), nextCursor: page.nextCursor };
  }

  /** R13: the authority a notice is addressed to acknowledges it, once. */
  async acknowledge(principal: Principal, id: string): Promise<NoticeView> {
    return inTransaction(this.dataSource, async (m) => {
      const notice = this.access.require(principal, 'notice.read', await findNotice(m, id, true), noticeScope, 'Notice');
      if (!this.access.may(principal, 'notice.acknowledge', noticeScope(notice))) {
        throw forbidden('a notice is acknowledged by the authority it is addressed to');
      }
      refuseIf(acknowledgedRefusal(notice.acknowledgedAt));
      await acknowledgeNotice(m, id, principal.id);
      return toNoticeView((await findNotice(m, id))!, gbaToday());
    });
  }
}
