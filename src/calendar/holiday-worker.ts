// The rule holidays' lunisolar arithmetic (./holiday-rules.ts) in a worker thread, off the event loop.
import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { isListed, ListedHoliday, listingsRead, rememberListed, RuleSide } from './holiday-rules';

interface Wanted {
  side: RuleSide;
  year: number;
}

/**
 * The worker: loads ./holiday-rules (through @swc-node/register when it runs from the TypeScript sources, as the
 * tests do), lists each wanted year and posts the listings.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { file, wanted } = workerData;
try {
  if (file.endsWith('.ts')) require('@swc-node/register');
  const rules = require(file);
  parentPort.postMessage({ listings: wanted.map((w) => rules.listedHolidays(w.side, w.year)) });
} catch (error) {
  parentPort.postMessage({ error: String((error && error.stack) || error) });
}
`;

/**
 * The worker's young generation, in MB (V8's default is 16 MB a semi-space on 64-bit hosts). Its listing allocates
 * ~200 MB a side and year, nearly all of it garbage within a turn; a small young generation collects it more often
 * instead of growing the process's resident set. Listing the Mainland's, Hong Kong's and Macao's 2026 and 2027 in a
 * process of 81 MB (three times each, 3 December 2026): peak resident set 122–126 MB with the default, 110–112 MB with
 * 4 MB, 116 MB with 8 MB, in the same 0.6 s. The worker runs beside whatever the registry is doing (the notices' first
 * scan starts 5–7 s after start), so its peak adds to the process's (docs/scaling.md#the-node-process).
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/** Each wanted year's listed holidays, computed by `listedHolidays` in a worker thread that exits afterwards. */
export function listInWorker(wanted: readonly Wanted[]): Promise<ListedHoliday[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: require.resolve('./holiday-rules'), wanted },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.once('message', (answer: { listings?: ListedHoliday[][]; error?: string }) => {
      if (answer.listings) resolve(answer.listings);
      else reject(new Error(`the holiday worker failed: ${answer.error ?? 'no answer'}`));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the holiday worker exited with code ${code} before it answered`)));
  });
}

/** Listings being computed, by side and year: concurrent counts wait for one worker. */
const pending = new Map<string, Promise<void>>();
/**
 * One worker at a time: each holds a heap of its own (about 30 MB more resident set while it lists, with
 * WORKER_YOUNG_GENERATION_MB), and `GET /calendar/deadline` is public, so requests for many distant years must queue,
 * not spawn a worker each.
 */
let previousRun: Promise<unknown> = Promise.resolve();
const logger = new Logger('HolidayWorker');

/**
 * Lists, in a worker thread, what the days off of `side` in `years` read and this thread has not listed yet
 * (docs/scaling.md#the-node-process). Hong Kong's listing of a year is ~200 ms of lunisolar arithmetic and ~200 MB of
 * garbage, which on the event loop stalled every request for that long and grew the heap. Never throws: on a failure
 * the listing is left to be computed here, on first use, as before.
 */
export async function listAhead(side: RuleSide, years: readonly number[]): Promise<void> {
  const missing: Wanted[] = [];
  const waits: Array<Promise<void>> = [];
  for (const year of new Set(years.flatMap((y) => listingsRead(side, y)))) {
    const key = `${side}|${year}`;
    const inFlight = pending.get(key);
    if (inFlight) waits.push(inFlight);
    else if (!isListed(side, year)) missing.push({ side, year });
  }
  if (missing.length > 0) {
    const run = previousRun
      .then(() => listInWorker(missing))
      .then(
        (listings) => listings.forEach((holidays, i) => rememberListed(side, missing[i].year, holidays)),
        (error: unknown) => logger.warn({ err: error, side, years: missing.map((w) => w.year) }, 'holidays listed on the event loop instead'),
      );
    const done = run.finally(() => missing.forEach((w) => pending.delete(`${w.side}|${w.year}`)));
    previousRun = done;
    for (const w of missing) pending.set(`${w.side}|${w.year}`, done);
    waits.push(done);
  }
  await Promise.all(waits);
}
