import { Client } from 'pg';

type QueryCallback = (error: Error | null, result: unknown) => void;

/**
 * node-postgres' `Client`, with `query` answering a promise through node-postgres' callback path
 * (docs/scaling.md#read-tails). Everything else is node-postgres' own; the pool makes its connections of
 * this class (`Client`, a pg-pool option, set in `dataSourceOptions`).
 *
 * Why: for a promise, node-postgres keeps its settling callback as a closure that V8 allocates in the
 * old generation, and that closure reaches the query and its result. A young-generation collection treats
 * every old object as alive, so the rows of every query since the last full collection live through each
 * scavenge and are then promoted: about a quarter of what a read allocates, copied at each scavenge.
 * Through the callback path the rows die young. Measured with a loop of the audit statement (200,000-row
 * log, a minor collection every 20 statements between them): 310–325 kB survived each collection through
 * `client.query(config)` and 16–19 kB through this class (`bench/scavenges.ts`, `SCAVENGE_CLIENT`).
 */
class PromisesThroughCallbacks extends Client {
  // Typed for the class's users as node-postgres' own (`RegistryPgClient` below); this overload only satisfies the override.
  override query(...args: unknown[]): never;
  override query(config: unknown, values?: unknown, callback?: unknown): unknown {
    const own = typeof config === 'object' && config !== null ? (config as { submit?: unknown; callback?: unknown }) : {};
    // A Submittable, or a callback in any of its three places: node-postgres' own path, unchanged.
    if (typeof own.submit === 'function' || typeof own.callback === 'function' || typeof values === 'function' || callback !== undefined) {
      return super.query(config as never, values as never, callback as never);
    }
    // The callback is an argument, not assigned to a property: V8 pretenures a function literal assigned to a
    // property (`query.callback = …`, node-postgres' promise path), and that is the closure this class avoids.
    return new Promise((resolve, reject) => {
      const settle: QueryCallback = (error, result) => (error ? reject(error) : resolve(result));
      super.query(config as never, values as never, settle as never);
    }).catch(withCallerStack);
  }
}

/** The pool's connections (the class above), typed as node-postgres' own `Client`. */
export const RegistryPgClient: typeof Client = PromisesThroughCallbacks;

/** As node-postgres does for its promises: the error's stack leads back to the caller, not to the socket's read. */
function withCallerStack(error: Error): never {
  Error.captureStackTrace(error);
  throw error;
}
