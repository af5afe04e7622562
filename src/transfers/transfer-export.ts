// GET /transfers/export: every matching record, streamed through COPY TO STDOUT as ndjson or CSV.
import { Injectable } from '@nestjs/common';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { ReadReplicas } from '../cluster/read-replicas';
import { RequestActivity } from '../common/request-activity';
import { Principal } from '../common/roles';
import { borrowClient, exportCopy } from '../database/copy';
import { OrganisationsService, PartyNames } from '../organisations/organisations.service';
import { NdjsonFromLeafCopy } from './ndjson-export';
import { CSV_CELLS } from './record-columns';
import { ExportTransfersQuery } from './transfer.dto';
import { whereBranches } from './transfer-filters';

/** UTF-8's byte-order mark: without it, Excel reads a CSV file in the system's code page and shows 信用評估 as mojibake. */
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Passes the COPY stream through, the byte-order mark first (also for an export with no row: the header line). */
function withByteOrderMark(): Transform {
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first) {
        first = false;
        this.push(UTF8_BOM);
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (first) this.push(UTF8_BOM);
      callback();
    },
  });
}

/** The leaf as jsonb (`l.j`), once per row. */
const LEAF_JSON = `CROSS JOIN LATERAL (SELECT convert_from(t.leaf, 'UTF8')::jsonb AS j) l`;

/**
 * The CSV export is for people with a spreadsheet (the ndjson export, with the exact leaves, is for
 * machines and the verifier): lists are joined with '; ', booleans are `true` / `false`, each party's
 * registered name stands beside its id, and `occurredAtHongKong` (Hong Kong time, UTC+8, as
 * `YYYY-MM-DD HH:MM:SS`, which spreadsheets read as a date and time) beside the UTC instant.
 * Every cell but leafIndex, sector and the parties' names is read from the leaf (docs/architecture.md#trust-model, part 3);
 * the names come from the register (OrganisationsService), as a small table PostgreSQL hashes once, by the leaf's party ids.
 */
function csvCopySql(client: PoolClient, where: string, parties: readonly PartyNames[]): string {
  const literal = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
  const names = parties.length
    ? `VALUES ${parties.map((p) => `(${literal(p.id)}, ${literal(p.legalName)}, ${literal(p.legalNameZh)})`).join(', ')}`
    : 'SELECT NULL::text, NULL::text, NULL::text WHERE false';
  const cells = CSV_CELLS.map((c) => `${c.sql} AS "${c.header}"`).join(', ');
  const quoted = CSV_CELLS.filter((c) => c.quoted)
    .map((c) => `"${c.header}"`)
    .join(', ');
  return (
    `COPY (WITH party(id, legal_name, legal_name_zh) AS (${names}) SELECT ${cells} FROM transfer_records t ${LEAF_JSON}` +
    ` LEFT JOIN party processor ON processor.id = (l.j->>'processorId') LEFT JOIN party recipient ON recipient.id = (l.j->>'recipientId')` +
    ` WHERE ${where} ORDER BY t.leaf_index) TO STDOUT WITH (FORMAT csv, HEADER true, FORCE_QUOTE (${quoted}))`
  );
}

@Injectable()
export class TransferExport {
  constructor(
    private readonly access: AccessService,
    private readonly reads: ReadReplicas,
    private readonly organisations: OrganisationsService,
    private readonly activity: RequestActivity,
  ) {}

  /**
   * Streams every matching row, in leaf order, through COPY TO STDOUT on a
   * dedicated pooled connection: memory stays constant whatever the size.
   * ndjson rows carry the exact leaf (base64), so a full export is also the
   * input of the offline verifier (`npm run verify -- --export …`).
   */
  async export(principal: Principal, query: ExportTransfersQuery): Promise<Readable> {
    const parties = query.format === 'csv' ? await this.organisations.registeredNames() : [];
    // A regulator's export may stream from a replica (docs/scaling.md#read-replicas).
    return this.reads.read(principal, (db) => this.exportFrom(db, principal, query, parties));
  }

  private async exportFrom(db: DataSource, principal: Principal, query: ExportTransfersQuery, parties: readonly PartyNames[]): Promise<Readable> {
    const { client, release } = await borrowClient(db);
    try {
      const bind = (value: unknown): string => client.escapeLiteral(String(value));
      const where = whereBranches(this.access, principal, query, bind)
        .map((b) => `(${b})`)
        .join(' OR ');
      let stream: Readable;
      let copy: Readable;
      if (query.format === 'csv') {
        copy = await exportCopy(client, csvCopySql(client, where, parties), release);
        stream = pipeline(copy, withByteOrderMark(), () => undefined);
      } else {
        // PostgreSQL sends (leaf_index, sector, leaf) in binary; the line, base64 of the leaf included, is built here.
        copy = await exportCopy(
          client,
          `COPY (SELECT t.leaf_index, t.sector, t.leaf FROM transfer_records t WHERE ${where} ORDER BY t.leaf_index) TO STDOUT (FORMAT binary)`,
          release,
        );
        // pipeline() destroys the COPY stream too when the reply goes away, so exportCopy releases the connection.
        stream = pipeline(copy, new NdjsonFromLeafCopy(), () => undefined);
      }
      // While the export streams, the self-audit and other deferrable work give way to it (docs/scaling.md#exports).
      copy.on('data', () => this.activity.streaming());
      return stream;
    } catch (error) {
      release(error as Error);
      throw error;
    }
  }
}
