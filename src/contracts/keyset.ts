import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndUuid } from '../common/pagination';

/** Rows per page of a contract's incidents and documents when `limit` is not given (also the maximum). */
export const CONTRACT_LIST_LIMIT = 1000;

/**
 * One page of `qb` in `(time, id)` order, `time` a timestamptz column of `alias`. The cursor keeps
 * the time to the microsecond as PostgreSQL stores it (a millisecond `toISOString()` would repeat
 * rows stored within the same millisecond).
 */
export async function pageByTimeAndId<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  timeColumn: string,
  query: { limit?: number; cursor?: string },
  /** The list's name, for `cursorScope`: its cursors are good for this list only. */
  list: string,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const limit = Math.min(query.limit ?? CONTRACT_LIST_LIMIT, CONTRACT_LIST_LIMIT);
  const scope = cursorScope(list, query);
  const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope) as [string, string] | null;
  const time = `${alias}.${timeColumn}`;
  if (after) qb.andWhere(`(${time}, ${alias}.id) > (:afterAt::timestamptz, :afterId::uuid)`, { afterAt: after[0], afterId: after[1] });
  const { entities, raw } = await qb
    .addSelect(`to_char(${time} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'page_at')
    .orderBy(time, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .limit(limit + 1)
    .getRawAndEntities();
  const items = entities.slice(0, limit);
  const last = items[items.length - 1] as (T & { id: string }) | undefined;
  const lastRaw = (raw as Array<Record<string, unknown>>).find((r) => r[`${alias}_id`] === last?.id);
  return { items, nextCursor: entities.length > limit && last && lastRaw ? encodeCursor([lastRaw.page_at, last.id], scope) : null };
}
