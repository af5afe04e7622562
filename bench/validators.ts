/**
 * What the hand-written validator of `POST /transfers` saves: records validated per second by
 * parseTransferBody (src/transfers/domain/transfer-records.ts) and by the registry's ValidationPipe
 * (plainToInstance + validate over CreateTransfersDto, src/common/validation.ts) on the same
 * 1,000-record body, several rounds each, best of each, and the ratio. No database, one process.
 * src/transfers/domain/transfer-body-agreement.spec.ts proves the two accept and refuse the same bodies.
 *
 *   node -r @swc-node/register bench/validators.ts
 *
 * Measures and prints; never asserts a time. BENCH_VALIDATOR_ROUNDS (default 7) rounds of about
 * BENCH_VALIDATOR_MS (default 1,000) ms per validator.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { registryValidationPipe } from '../src/common/validation';
import { PERSONAL_INFORMATION_CATEGORIES, SENSITIVE_CATEGORIES } from '../src/contracts/domain/categories';
import { parseTransferBody } from '../src/transfers/domain/transfer-records';
import { CreateTransfersDto } from '../src/transfers/transfer.dto';

const RECORDS = 1_000;
const ROUNDS = Number(process.env.BENCH_VALIDATOR_ROUNDS || 7);
const ROUND_MS = Number(process.env.BENCH_VALIDATOR_MS || 1_000);

/** A body as clients send it: varied contracts, times, categories, purposes; an onward recipient in every other record. */
function body(): { records: Array<Record<string, unknown>> } {
  const contracts = Array.from({ length: 50 }, () => randomUUID());
  const records = Array.from({ length: RECORDS }, (_, i) => ({
    contractId: contracts[i % contracts.length],
    occurredAt: new Date(Date.UTC(2025, 1, 1) + i * 61_000).toISOString().replace('.000Z', '+00:00'),
    direction: i % 3 === 0 ? 'HK_TO_MAINLAND' : 'MAINLAND_TO_HK',
    dataSubjectCount: 100 + i,
    recordCount: 400 + 4 * i,
    personalInformationCategories: PERSONAL_INFORMATION_CATEGORIES.slice(i % 4, (i % 4) + 2),
    sensitiveCategories: i % 5 === 0 ? [SENSITIVE_CATEGORIES[i % SENSITIVE_CATEGORIES.length]] : [],
    purposes: i % 2 ? ['credit assessment'] : ['credit assessment', 'cross-boundary account opening 跨境開戶'],
    transferMethod: 'encrypted API over dedicated line',
    separateConsentObtained: i % 7 !== 0,
    onwardRecipient: i % 2 ? null : { name: 'Bay Area Credit Bureau Ltd', city: 'GUANGZHOU' },
    payloadDigest: (i.toString(16).padStart(8, '0') + 'e3b0c442').repeat(4),
    externalReference: `batch-2025-02-01-${i}`,
  }));
  return { records };
}

/** Records per second of `validate` over the body, for about ROUND_MS. */
async function round(validate: () => unknown): Promise<number> {
  let records = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ROUND_MS) {
    await validate();
    records += RECORDS;
    elapsed = performance.now() - start;
  }
  return (records / elapsed) * 1000;
}

async function main(): Promise<void> {
  const input = body();
  const pipe = registryValidationPipe();
  const viaPipe = () => pipe.transform(input, { type: 'body', metatype: CreateTransfersDto, data: undefined });
  const byHand = () => {
    const result = parseTransferBody(input);
    if ('errors' in result) throw new Error(`the bench body is refused: ${JSON.stringify(result.errors.slice(0, 3))}`);
    return result;
  };
  byHand();
  await viaPipe(); // throws if the pipe refuses the body
  const loadBefore = os.loadavg()[0];
  const hand: number[] = [];
  const dto: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    hand.push(await round(byHand));
    dto.push(await round(viaPipe));
    console.log(
      `round ${r + 1}: parseTransferBody ${Math.round(hand[r]).toLocaleString('en')} records/s, ValidationPipe ${Math.round(dto[r]).toLocaleString('en')} records/s`,
    );
  }
  const bestHand = Math.max(...hand);
  const bestDto = Math.max(...dto);
  console.log(`best of ${ROUNDS}, ${RECORDS.toLocaleString('en')}-record body:`);
  console.log(`  parseTransferBody                          ${Math.round(bestHand).toLocaleString('en')} records/s`);
  console.log(`  plainToInstance + validate (ValidationPipe) ${Math.round(bestDto).toLocaleString('en')} records/s`);
  console.log(
    `  ratio ${(bestHand / bestDto).toFixed(1)}×  (Node ${process.version}, ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)})`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
