// The WHERE clause of the regulators' reads of transfer_records (GET /transfers, the export), within what the
// access policy lets the caller read (src/access).
import { AccessService } from '../access/access.service';
import { Principal } from '../common/roles';
import { TransferFilterQuery } from './transfer.dto';

/** Where transfer_records keeps what the access policy reads (`contractScope` in ./transfer-batch.ts). */
const RECORD_SCOPE_COLUMNS = { parties: ['t.processor_id', 't.recipient_id'], sides: ['t.processor_jurisdiction', 't.recipient_jurisdiction'] };

/** A calendar date filter means the start of that day in the GBA (UTC+8, as the compliance flags count days). */
function instantOf(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value;
}

/**
 * The WHERE clause over `transfer_records t` as OR-ed branches: the filters, within what the access policy lets
 * the caller read. "Party is X" is a processor branch and a recipient branch, so each branch stays answerable
 * from one (party, occurred_at, leaf_index) index.
 */
export function whereBranches(access: AccessService, principal: Principal, filter: TransferFilterQuery, bind: (value: unknown) => string): string[] {
  const common: string[] = [];
  if (filter.contractId) common.push(`t.contract_id = ${bind(filter.contractId)}::uuid`);
  if (filter.direction) common.push(`t.direction = ${bind(filter.direction)}`);
  if (filter.from) common.push(`t.occurred_at >= ${bind(instantOf(filter.from))}::timestamptz`);
  if (filter.to) common.push(`t.occurred_at < ${bind(instantOf(filter.to))}::timestamptz`);
  if (filter.flag) common.push(`t.flags <> '{}' AND t.flags @> ARRAY[${bind(filter.flag)}]::text[]`);
  // flags <> '{}' is the predicate of the partial indexes (ix_transfer_records_flagged_time, the flags GIN).
  if (filter.flagged === 'true') common.push(`t.flags <> '{}'`);
  if (filter.flagged === 'false') common.push(`t.flags = '{}'`);
  if (filter.category) common.push(`t.personal_information_categories @> ARRAY[${bind(filter.category)}]::text[]`);
  if (filter.sector) common.push(`t.sector = ${bind(filter.sector)}`);
  return access.sqlBranches(principal, 'transfer.read', RECORD_SCOPE_COLUMNS, bind, { where: common, parties: [filter.organisationId] });
}
