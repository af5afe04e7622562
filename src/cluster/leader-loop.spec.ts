import type { Logger } from '@nestjs/common';
import { LeaderLoop } from './leader-loop';
import type { Leadership } from './leadership';

const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (on a loaded machine, as long as it takes up to 10 s) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 10_000; waited += 10) await tick(10);
}

function loopOf(leading: { now: boolean }, round: () => Promise<unknown>) {
  const warnings: string[] = [];
  const logger = { warn: (_: unknown, message: string) => warnings.push(message) } as unknown as Logger;
  const leadership = { isLeader: () => leading.now } as unknown as Leadership;
  return { loop: new LeaderLoop(leadership, logger, { firstDelayMs: 0, everyMs: 5, failure: 'round failed' }, round), warnings };
}

describe('LeaderLoop', () => {
  it('runs rounds only while this instance leads', async () => {
    const leading = { now: false };
    let rounds = 0;
    const { loop } = loopOf(leading, () => Promise.resolve(rounds++));
    loop.start();
    await tick();
    expect(rounds).toBe(0);
    leading.now = true;
    await until(() => rounds > 0);
    expect(rounds).toBeGreaterThan(0);
    await loop.stop();
  });

  it('logs a failed round and goes on with the next one', async () => {
    let rounds = 0;
    const { loop, warnings } = loopOf({ now: true }, () => (++rounds === 1 ? Promise.reject(new Error('database gone')) : Promise.resolve()));
    loop.start();
    await until(() => rounds > 1);
    await loop.stop();
    expect(warnings[0]).toBe('round failed');
    expect(rounds).toBeGreaterThan(1);
  });

  it('stop waits for the round in progress and starts no other', async () => {
    let finished = false;
    let started = 0;
    const { loop } = loopOf({ now: true }, async () => {
      started++;
      await tick(50);
      finished = true;
    });
    loop.start();
    await until(() => started > 0);
    expect(loop.stopping).toBe(false);
    await loop.stop();
    expect(loop.stopping).toBe(true);
    expect(finished).toBe(true);
    await tick(30);
    expect(started).toBe(1);
  });
});
