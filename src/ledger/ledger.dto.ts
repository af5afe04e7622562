import { ApiProperty } from '@nestjs/swagger';
import { QueryInteger } from '../common/query-integer';

const MAX_INDEX = Number.MAX_SAFE_INTEGER;

export class EntriesQuery {
  @ApiProperty({ description: 'First leaf index (inclusive)' })
  @QueryInteger(0, MAX_INDEX)
  start: number;

  @ApiProperty({ description: 'Last leaf index (exclusive); at most start + 1000' })
  @QueryInteger(1, MAX_INDEX)
  end: number;
}

export class InclusionProofQuery {
  @ApiProperty()
  @QueryInteger(0, MAX_INDEX)
  leafIndex: number;

  @ApiProperty()
  @QueryInteger(1, MAX_INDEX)
  treeSize: number;
}

export class ConsistencyProofQuery {
  @ApiProperty()
  @QueryInteger(0, MAX_INDEX)
  first: number;

  @ApiProperty()
  @QueryInteger(0, MAX_INDEX)
  second: number;
}

/** GET /ledger/public-key: the log's Ed25519 key and the witnesses' cosigner keys (C2SP signed-note, tlog-cosignature). */
export class PublicKeyReportView {
  @ApiProperty({ description: 'The log origin (LEDGER_ORIGIN), the first line of every checkpoint and the key name' }) origin: string;
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: string;
  @ApiProperty({ description: 'Base64 of the raw 32-byte Ed25519 public key' }) publicKey: string;
  @ApiProperty({ description: 'Note verifier key "<name>+<hex key ID>+<base64(0x01 ‖ key)>"' }) verifierKey: string;
  @ApiProperty({
    type: [String],
    description: 'Cosigner verifier keys of the witnesses, "<name>+<hex key ID>+<base64(0x04 ‖ key)>"; empty without LEDGER_WITNESSES',
  })
  witnesses: string[];
  @ApiProperty({ description: 'How many of those cosignatures GET /ledger/checkpoint carries (LEDGER_WITNESS_QUORUM); 0 without witnesses' })
  witnessQuorum: number;
}

/** One thing GET /ledger/integrity found wrong (kinds: src/ledger/ledger.integrity.ts). */
export class IntegrityFailureView {
  @ApiProperty({
    enum: ['leaf-hash', 'leaf-missing', 'node-hash', 'checkpoint-root', 'checkpoint-note', 'checkpoint-consistency', 'log-shrunk', 'record-column'],
  })
  kind: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Tree level: 0 for a leaf, 4 and up for a stored subtree; null for a checkpoint' })
  level: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Leaf index, subtree index at its level, or tree size of the checkpoint concerned' })
  index: number | null;
  @ApiProperty() detail: string;
  @ApiProperty({ format: 'date-time', description: 'When it was first found (stored), or found by this instance if it could not be stored' })
  detectedAt: string;
}

export class AuditProgressView {
  @ApiProperty({ description: 'Full passes over leaves, stored nodes and checkpoints completed' }) passesCompleted: number;
  @ApiProperty({ enum: ['leaves', 'nodes', 'checkpoints'] }) phase: string;
  @ApiProperty({ description: 'Tree level the audit is at (nodes phase)' }) level: number;
  @ApiProperty({ description: 'Next leaf index, node index or checkpoint size the audit checks' }) position: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastPassCompletedAt: string | null;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class IntegrityAuditView {
  @ApiProperty({ type: AuditProgressView, nullable: true }) progress: AuditProgressView | null;
}

export class IntegrityReportView {
  @ApiProperty({ description: 'false once anything failed: checkpoint signing has stopped (records are still logged)' }) ok: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When this instance last completed a check' }) checkedAt: string | null;
  @ApiProperty({ type: [IntegrityFailureView], description: 'What failed and where, the first found first' }) failures: IntegrityFailureView[];
  @ApiProperty({ type: IntegrityAuditView }) audit: IntegrityAuditView;
}

/** One archived monthly partition of the transfer log (R18; docs/scaling.md#retention). */
export class ArchiveView {
  @ApiProperty({ description: 'The detached partition, "transfer_records_y<year>m<month>"' }) partition: string;
  @ApiProperty({ format: 'date', description: 'First day of the month (UTC+8) whose records it holds' }) month: string;
  @ApiProperty({ description: 'Where the archive was written (under ARCHIVE_DIR); verify it with `npm run verify -- --archive <file> --log-key <vkey>`' })
  file: string;
  @ApiProperty({ description: 'SHA-256 of the archive file, hex' }) sha256: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'Lowest leaf index of the archived records' }) firstLeafIndex: number;
  @ApiProperty({ description: 'Highest leaf index of the archived records' }) lastLeafIndex: number;
  @ApiProperty({ description: 'Records archived' }) leafCount: number;
  @ApiProperty({ description: 'Tree size of the signed checkpoint the archive proves its records against' }) checkpointSize: number;
  @ApiProperty({ description: 'That checkpoint: a C2SP signed note' }) checkpoint: string;
  @ApiProperty({ format: 'date-time' }) archivedAt: string;
}

export class ArchivesView {
  @ApiProperty({ type: [ArchiveView], description: 'Oldest month first' }) archives: ArchiveView[];
}
