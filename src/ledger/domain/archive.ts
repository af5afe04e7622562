// A retention archive of one monthly partition of the transfer log (docs/rules.md#r18, docs/scaling.md#retention),
// and its verification. NDJSON, so it is written and checked line by line in constant memory:
//   line 1, the header: {"format":"gba-registry-archive/v1","origin","partition","month","start","end",
//     "leftHashes":[base64…],"checkpoint":"<signed note>","consistency":[base64…]}
//   then one line per leaf index in [start, end), in order: {"leafIndex":n,"leaf":"<base64 bytes>"} for the
//     partition's records, {"leafIndex":n,"leafHash":"<base64>"} for a leaf of a neighbouring month logged
//     among them (docs/scaling.md#partitions).
// leftHashes are the complete subtrees covering leaves [0, start) (RFC 9162 §2.1.1, largest first): with the
// leaves they give the root of the tree of size `end`, which the consistency proof (RFC 9162 §2.1.4) shows
// to be a prefix of the signed checkpoint's tree.
import { openCheckpoint, ParsedVerifierKey } from './checkpoint';
import { appendLeaves, leafHash, rootPlan, TreeNode, verifyConsistency } from './merkle';

export const ARCHIVE_FORMAT = 'gba-registry-archive/v1';

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  origin: string;
  partition: string;
  month: string;
  start: number;
  end: number;
  leftHashes: string[];
  checkpoint: string;
  consistency: string[];
}

export type ArchiveLine = { leafIndex: number; leaf: string } | { leafIndex: number; leafHash: string };

export interface VerifiedArchive {
  header: ArchiveHeader;
  /** Records of the partition itself (lines with a leaf). */
  entries: number;
  treeSize: number;
}

/** Checks an archive fed line by line against the log's verifier key; finish() throws what is wrong. */
export class ArchiveVerifier {
  private header: ArchiveHeader | undefined;
  private next = 0;
  private entries = 0;
  private readonly hashes: Buffer[] = [];

  constructor(private readonly logKey: string | ParsedVerifierKey) {}

  line(text: string): void {
    if (text.trim() === '') return;
    const value = JSON.parse(text) as unknown;
    if (!this.header) {
      this.header = parseHeader(value);
      this.next = this.header.start;
      return;
    }
    const line = value as Partial<{ leafIndex: number; leaf: string; leafHash: string }>;
    if (line.leafIndex !== this.next) throw new Error(`archive line for leaf ${String(line.leafIndex)} where leaf ${this.next} was expected`);
    if (typeof line.leaf === 'string') {
      this.hashes.push(leafHash(Buffer.from(line.leaf, 'base64')));
      this.entries++;
    } else if (typeof line.leafHash === 'string' && Buffer.from(line.leafHash, 'base64').length === 32) {
      this.hashes.push(Buffer.from(line.leafHash, 'base64'));
    } else throw new Error(`archive line for leaf ${this.next} has neither a leaf nor a leaf hash`);
    this.next++;
  }

  finish(): VerifiedArchive {
    const header = this.header;
    if (!header) throw new Error('the archive is empty');
    if (this.next !== header.end) throw new Error(`the archive stops at leaf ${this.next}, its header says ${header.end}`);
    if (this.entries === 0) throw new Error('the archive holds no record');
    const checkpoint = openCheckpoint(header.checkpoint, this.logKey, header.origin);
    const plan = rootPlan(header.start);
    if (plan.length !== header.leftHashes.length)
      throw new Error(`the archive has ${header.leftHashes.length} left hashes, a tree of ${header.start} needs ${plan.length}`);
    const frontier: TreeNode[] = plan.map((id, i) => ({ ...id, hash: Buffer.from(header.leftHashes[i], 'base64') }));
    const root = appendLeaves(frontier, header.start, this.hashes).root;
    const proof = header.consistency.map((h) => Buffer.from(h, 'base64'));
    if (checkpoint.treeSize < header.end || !verifyConsistency(header.end, checkpoint.treeSize, proof, root, checkpoint.rootHash)) {
      throw new Error(`the leaves [${header.start}, ${header.end}) are not in the tree of the checkpoint of size ${checkpoint.treeSize}`);
    }
    return { header, entries: this.entries, treeSize: checkpoint.treeSize };
  }
}

function parseHeader(value: unknown): ArchiveHeader {
  const h = value as Partial<ArchiveHeader>;
  const strings = (a: unknown): a is string[] => Array.isArray(a) && a.every((s) => typeof s === 'string');
  if (
    h?.format !== ARCHIVE_FORMAT ||
    typeof h.origin !== 'string' ||
    typeof h.partition !== 'string' ||
    typeof h.month !== 'string' ||
    !Number.isSafeInteger(h.start) ||
    !Number.isSafeInteger(h.end) ||
    (h.start as number) < 0 ||
    (h.end as number) <= (h.start as number) ||
    !strings(h.leftHashes) ||
    typeof h.checkpoint !== 'string' ||
    !strings(h.consistency)
  ) {
    throw new Error(`the archive's first line is not a ${ARCHIVE_FORMAT} header`);
  }
  return h as ArchiveHeader;
}
