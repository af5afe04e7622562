// The start-up strength checks (src/config/config.ts) in a worker thread of their own.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

export type StrengthCheck = { kind: 'secret'; value: string } | { kind: 'password'; value: string; userInputs: string[] };

/** How long start-up waits for the estimator: loading its dictionaries and checking three values takes about a second. */
const TIMEOUT_MS = 60_000;

/**
 * The worker: loads ./secret-strength (through @swc-node/register when it runs from the TypeScript sources, as
 * the tests do), runs the checks, posts the reasons on the port and wakes the waiting thread.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { file, checks, port, signal } = workerData;
const flag = new Int32Array(signal);
try {
  if (file.endsWith('.ts')) require('@swc-node/register');
  const strength = require(file);
  port.postMessage({ reasons: checks.map((c) => (c.kind === 'secret' ? strength.weakSecretReason(c.value) : strength.weakPasswordReason(c.value, c.userInputs))) });
} catch (error) {
  port.postMessage({ error: String((error && error.stack) || error) });
}
Atomics.store(flag, 0, 1);
Atomics.notify(flag, 0);
`;

/**
 * Why each value is too weak (undefined when it is fit), by weakSecretReason and weakPasswordReason, computed in
 * a worker thread while this thread waits. The estimator's dictionaries and the garbage of its matching (about
 * 200 MB allocated for a production start's three checks) stay in the worker's heap, which is freed when the
 * worker exits; run here, they left a freshly started registry's resident set at 256 MB instead of 198 MB
 * (docs/scaling.md#the-node-process). Synchronous, as configuration is read.
 */
export function strengthReasonsInWorker(checks: readonly StrengthCheck[]): Array<string | undefined> {
  if (checks.length === 0) return [];
  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: require.resolve('./secret-strength'), checks, port: port2, signal },
    transferList: [port2],
  });
  try {
    if (Atomics.wait(new Int32Array(signal), 0, 0, TIMEOUT_MS) === 'timed-out') {
      throw new Error(`the secret strength estimator did not answer within ${TIMEOUT_MS / 1000} s`);
    }
    const answer = receiveMessageOnPort(port1)?.message as { reasons?: Array<string | undefined>; error?: string } | undefined;
    if (!answer?.reasons) throw new Error(`the secret strength estimator failed: ${answer?.error ?? 'no answer'}`);
    return answer.reasons;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
