import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { Authority, Jurisdiction } from '../access/policy';
import { CalendarService } from '../calendar/calendar.service';
import { LeaderLoop } from '../cluster/leader-loop';
import { Leadership } from '../cluster/leadership';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { contractEvent, ContractSubject, NotificationEvent } from '../webhooks/events';
import { NotificationsService } from '../webhooks/notifications.service';
import { gbaToday } from './contract-views';
import { FilingStatus, isOverdue } from './domain/filing-lifecycle';
import type { NoticeFiling } from './domain/notices';
import type { NewNotice } from './notices.repository';
import { NoticesService } from './notices.service';

/** Rows a scan reads per page; it pages through all of them, recording each page's notices in one transaction. */
const PAGE = 1000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

interface Page {
  events: NotificationEvent[];
  /** Notices to the regulators' queues (R13), recorded in the same transaction as the events. */
  notices?: NewNotice[];
  /** The id to continue after, or null on the last page. */
  last: string | null;
}

interface FilingRow {
  id: string;
  contract_id: string;
  version: number;
  party: string;
  organisation_id: string;
  authority: Authority;
  status: FilingStatus;
  deadline: string;
  resubmission_deadline: string | null;
  processor_id: string;
  recipient_id: string;
  processor_jurisdiction: string;
  recipient_jurisdiction: string;
}

const subjectOf = (
  r: Omit<FilingRow, 'id' | 'version' | 'party' | 'organisation_id' | 'authority' | 'status' | 'deadline' | 'resubmission_deadline'> & { contract_id: string },
): ContractSubject => ({
  contractId: r.contract_id,
  processorId: r.processor_id,
  recipientId: r.recipient_id,
  processorJurisdiction: r.processor_jurisdiction,
  recipientJurisdiction: r.recipient_jurisdiction,
});

/**
 * The notifications that come from the calendar, not from a request (docs/api.md#webhooks): a filing waiting
 * for its party becomes due soon (WEBHOOK_DUE_SOON_WORKING_DAYS working days before its deadline, in the filing
 * party's own calendar, R9) and then overdue (the day after its deadline, as `isOverdue` counts it, R8/R11); a
 * contract in force passes its expiry date (R13), which is also a notice in each side's regulators' queue
 * (`NoticesService`, written in the same transaction as the event). Scanned every WEBHOOK_SCAN_INTERVAL_MS by the instance that
 * leads the background jobs (docs/scaling.md#several-instances); each notice has a once-key (the filing or
 * contract and the date), so a scan that finds it again, on any instance, records nothing.
 */
@Injectable()
export class ContractNotices implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ContractNotices');
  private readonly intervalMs: number;
  private readonly dueSoonWorkingDays: number;
  private loop: LeaderLoop | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly calendar: CalendarService,
    private readonly leadership: Leadership,
    private readonly notifications: NotificationsService,
    private readonly access: AccessService,
    private readonly queue: NoticesService,
  ) {
    this.intervalMs = config.webhooks.scanIntervalMs;
    this.dueSoonWorkingDays = config.webhooks.dueSoonWorkingDays;
  }

  onApplicationBootstrap(): void {
    this.loop = new LeaderLoop(
      this.leadership,
      this.logger,
      {
        firstDelayMs: Math.min(this.intervalMs, 5_000),
        everyMs: this.intervalMs,
        failure: 'deadline and expiry scan failed; trying again at the next interval',
      },
      () => this.scan(),
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** True once shutdown began: a long round stops between its batches. */
  private get stopped(): boolean {
    return this.loop?.stopping ?? false;
  }

  private async scan(): Promise<void> {
    const today = gbaToday();
    const dueBy = new Map<Jurisdiction, string>();
    for (const side of ['MAINLAND', 'HONG_KONG', 'MACAO'] as const)
      dueBy.set(side, (await this.calendar.deadline(side, today, this.dueSoonWorkingDays)).deadline);
    await this.pages((after) => this.filingNotices(today, dueBy, after));
    await this.pages((after) => this.expiryNotices(today, after));
  }

  private async pages(page: (after: string) => Promise<Page>): Promise<void> {
    for (let after: string | null = FIRST_ID; after && !this.stopped;) {
      const { events, notices = [], last } = await page(after);
      if (events.length || notices.length)
        await this.dataSource.transaction(async (m) => {
          await this.notifications.record(m, ...events);
          await this.queue.record(m, notices);
        });
      after = last;
    }
  }

  /** Filings of the version in force waiting for their party (R8, R11): overdue, or due within the configured working days. */
  private async filingNotices(today: string, dueBy: ReadonlyMap<Jurisdiction, string>, after: string): Promise<Page> {
    const horizon = [...dueBy.values()].sort().pop() as string;
    const rows: FilingRow[] = await this.dataSource.query(
      `SELECT f.id, f.contract_id, f.version, f.party, f.organisation_id, f.authority, f.status, f.deadline::text AS deadline,
              f.resubmission_deadline::text AS resubmission_deadline,
              c.processor_id, c.recipient_id, c.processor_jurisdiction, c.recipient_jurisdiction
         FROM filings f JOIN contracts c ON c.id = f.contract_id
        WHERE f.status IN ('NOT_SUBMITTED', 'RETURNED') AND f.version = c.filing_version AND c.terminated_on IS NULL
          AND COALESCE(CASE WHEN f.status = 'RETURNED' THEN f.resubmission_deadline END, f.deadline) <= $1::date AND f.id > $2::uuid
        ORDER BY f.id LIMIT $3`,
      [horizon, after, PAGE],
    );
    const out: NotificationEvent[] = [];
    for (const r of rows) {
      const deadline = r.status === 'RETURNED' ? (r.resubmission_deadline ?? r.deadline) : r.deadline;
      const overdue = isOverdue({ status: r.status, deadline: r.deadline, resubmissionDeadline: r.resubmission_deadline }, today);
      const side = this.access.sideOf(r.authority);
      const dueSoon = !overdue && deadline <= ((side && dueBy.get(side)) ?? today);
      if (!overdue && !dueSoon) continue;
      const type = overdue ? 'filing.overdue' : 'filing.due_soon';
      const data = {
        version: r.version,
        party: r.party,
        organisationId: r.organisation_id,
        authority: r.authority,
        status: r.status,
        deadline,
        ...(overdue ? {} : { dueSoonWorkingDays: this.dueSoonWorkingDays }),
      };
      out.push(contractEvent(type, subjectOf(r), data, `${type}:${r.id}:${deadline}`));
    }
    return { events: out, last: rows.length === PAGE ? rows[rows.length - 1].id : null };
  }

  /**
   * Contracts not terminated whose latest version has an expiry date before today and no expiry notice yet (R13):
   * the event, and a notice to each side's authority, once per contract.
   */
  private async expiryNotices(today: string, after: string): Promise<Page> {
    const rows: Array<{
      contract_id: string;
      expiry_date: string;
      processor_id: string;
      recipient_id: string;
      processor_jurisdiction: Jurisdiction;
      recipient_jurisdiction: Jurisdiction;
      filings: NoticeFiling[] | null;
    }> = await this.dataSource.query(
      `SELECT c.id AS contract_id, v.expiry_date::text AS expiry_date, c.processor_id, c.recipient_id, c.processor_jurisdiction, c.recipient_jurisdiction,
              (SELECT json_agg(json_build_object('party', f.party, 'authority', f.authority)) FROM filings f
                WHERE f.contract_id = c.id AND f.version = c.filing_version) AS filings
           FROM contracts c JOIN contract_versions v ON v.contract_id = c.id AND v.version = c.latest_version
          WHERE c.terminated_on IS NULL AND v.expiry_date < $1::date AND c.id > $2::uuid
            AND NOT EXISTS (SELECT 1 FROM contract_notices n WHERE n.contract_id = c.id AND n.kind = 'EXPIRED')
          ORDER BY c.id LIMIT $3`,
      [today, after, PAGE],
    );
    const events = rows.map((r) =>
      contractEvent('contract.expired', subjectOf(r), { expiryDate: r.expiry_date }, `contract.expired:${r.contract_id}:${r.expiry_date}`),
    );
    const subjects = rows.map((r) => ({
      contractId: r.contract_id,
      processorJurisdiction: r.processor_jurisdiction,
      recipientJurisdiction: r.recipient_jurisdiction,
      endedOn: r.expiry_date,
      filings: r.filings ?? [],
    }));
    const notices = await this.queue.plan(this.dataSource.manager, 'EXPIRED', subjects, today);
    return { events, notices, last: rows.length === PAGE ? rows[rows.length - 1].contract_id : null };
  }
}
