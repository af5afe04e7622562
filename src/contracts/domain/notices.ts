// The end of a contract as notices to the regulators of both sides (docs/rules.md#r13): who is told, and by when
// they are to acknowledge it. Pure: the caller supplies the filings in force and the due dates from the calendar.
import { DomainError, ErrorCode } from '../../common/errors';
import type { IsoDate, Jurisdiction } from './contract-rules';

export const NOTICE_KINDS = ['TERMINATED', 'EXPIRED'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** A filing in force, as the notices read it: the party, the authority it files with (R8) and that authority's side. */
export interface NoticeFiling {
  party: 'processor' | 'recipient';
  authority: string;
}

export interface PlannedNotice {
  kind: NoticeKind;
  party: 'processor' | 'recipient';
  authority: string;
  side: Jurisdiction;
  endedOn: IsoDate;
}

/**
 * R13: a terminated or expired contract is a notice for the authority of each party's side, the one
 * that party files with (R8): one per party, processor's first (the parties are on different sides, R2).
 */
export function planNotices(
  kind: NoticeKind,
  endedOn: IsoDate,
  sides: { processor: Jurisdiction; recipient: Jurisdiction },
  filings: readonly NoticeFiling[],
): PlannedNotice[] {
  return (['processor', 'recipient'] as const).flatMap((party) => {
    const filing = filings.find((f) => f.party === party);
    return filing ? [{ kind, party, authority: filing.authority, side: sides[party], endedOn }] : [];
  });
}

/** R13: a notice is acknowledged once; a second acknowledgement is refused and names the first. */
export function acknowledgedRefusal(acknowledgedAt: Date | null): DomainError | null {
  if (acknowledgedAt === null) return null;
  return new DomainError(ErrorCode.CONFLICT, 'The notice has already been acknowledged', {
    rule: 'R13',
    detail: `the notice was acknowledged at ${acknowledgedAt.toISOString()}`,
  });
}
