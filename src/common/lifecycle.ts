// Lifecycles as a declared transition table, not scattered `if`s
// (docs/contributing.md#shape-of-the-house; after vendure packages/core/src/config/order/
// default-order-process.ts, whose `transitions` map names, for each state, the
// states it may move to). Ours is keyed by action as well, so a caller says
// what happened ("SUBMIT") and the table answers where that leads.
//
// Used by the filing lifecycle (docs/rules.md#r8, docs/rules.md#r11) and the pilot enrolment
// lifecycle (docs/api.md#sector-rollout-and-pilot-enrolment).

/** A transition table: for each state, the actions allowed from it and the state each leads to. */
export type TransitionTable<S extends string, A extends string> = Record<S, Partial<Record<A, S>>>;

/** One row of a transition table in list form. */
export interface Transition<S extends string, A extends string> {
  readonly from: S;
  readonly action: A;
  readonly to: S;
}

/**
 * Thrown when an action is not allowed from a state. Carries `from`, `action`
 * and, when the action is known elsewhere in the table, the `to` state it
 * would lead to from another state, so an API can answer 409 naming both
 * states (RFC 9457 problem details).
 */
export class IllegalTransitionError<S extends string = string, A extends string = string> extends Error {
  readonly code = 'ILLEGAL_TRANSITION' as const;
  constructor(
    readonly lifecycle: string,
    readonly from: S,
    readonly action: A,
    /** The state the action leads to where it is legal, if it is legal anywhere (for the message). */
    readonly to: S | undefined,
    /** Actions that are legal from `from`, sorted. */
    readonly allowedActions: readonly A[],
  ) {
    super(
      `${lifecycle}: cannot ${action} from ${from}` +
        (to !== undefined ? ` (to ${to})` : '') +
        (allowedActions.length > 0 ? `; allowed from ${from}: ${allowedActions.join(', ')}` : `; ${from} is final`),
    );
    this.name = 'IllegalTransitionError';
  }
}

/** `instanceof IllegalTransitionError`, typed with string states and actions (`instanceof` alone gives `any` for both). */
export function isIllegalTransition(error: unknown): error is IllegalTransitionError {
  return error instanceof IllegalTransitionError;
}

export interface Lifecycle<S extends string, A extends string> {
  readonly name: string;
  readonly states: readonly S[];
  readonly actions: readonly A[];
  /** The new state, or throws IllegalTransitionError. */
  next(from: S, action: A): S;
  /** Whether `action` is allowed from `from`. */
  can(from: S, action: A): boolean;
  /** Actions allowed from `from`, sorted. */
  allowedActions(from: S): A[];
  /** States with no outgoing transition. */
  isFinal(state: S): boolean;
  /** Every declared transition, in table order. */
  transitions(): Transition<S, A>[];
}

function isTransitionList<S extends string, A extends string>(
  table: TransitionTable<S, A> | readonly Transition<S, A>[],
): table is readonly Transition<S, A>[] {
  return Array.isArray(table);
}

export interface LifecycleOptions<S extends string> {
  /** Names the lifecycle in error messages, e.g. "filing". */
  name?: string;
  /** Every state, when `table` is a list (final states have no row of their own). */
  states?: readonly S[];
}

/**
 * Declare a lifecycle. `table` is either a map `{ STATE: { ACTION: NEXT } }`
 * or a list of `{from, action, to}`. With a list, pass `states` to declare
 * final states that have no outgoing row; a state used in a row but missing
 * from `states`, or a duplicate (from, action) pair, is a programming error
 * and throws at definition time.
 */
export function defineLifecycle<S extends string, A extends string>(
  table: TransitionTable<S, A> | readonly Transition<S, A>[],
  options: LifecycleOptions<S> = {},
): Lifecycle<S, A> {
  const name = options.name ?? 'lifecycle';
  const { map, stateSet, actionSet } = transitionMap(name, table, options.states);

  const allowedActions = (from: S): A[] => [...(map.get(from)?.keys() ?? [])].sort();
  const anyTarget = (action: A): S | undefined => {
    for (const row of map.values()) {
      const to = row.get(action);
      if (to !== undefined) return to;
    }
    return undefined;
  };

  return {
    name,
    states: [...stateSet],
    actions: [...actionSet],
    next(from, action) {
      const to = map.get(from)?.get(action);
      if (to === undefined) {
        throw new IllegalTransitionError<S, A>(name, from, action, anyTarget(action), allowedActions(from));
      }
      return to;
    },
    can: (from, action) => map.get(from)?.has(action) ?? false,
    allowedActions,
    isFinal: (state) => (map.get(state)?.size ?? 0) === 0,
    transitions() {
      const out: Transition<S, A>[] = [];
      for (const [from, row] of map) for (const [action, to] of row) out.push({ from, action, to });
      return out;
    },
  };
}

/** The table as from → action → to, with every state and action it names; throws on a duplicate or undeclared state. */
function transitionMap<S extends string, A extends string>(
  name: string,
  table: TransitionTable<S, A> | readonly Transition<S, A>[],
  states: readonly S[] | undefined,
): { map: Map<S, Map<A, S>>; stateSet: Set<S>; actionSet: Set<A> } {
  const map = new Map<S, Map<A, S>>();
  const stateSet = new Set<S>(states ?? []);
  const actionSet = new Set<A>();
  const add = (from: S, action: A, to: S) => {
    let row = map.get(from);
    if (!row) map.set(from, (row = new Map<A, S>()));
    if (row.has(action)) throw new Error(`${name}: duplicate transition ${from} --${action}-->`);
    row.set(action, to);
    stateSet.add(from);
    stateSet.add(to);
    actionSet.add(action);
  };
  if (isTransitionList(table)) {
    for (const t of table) add(t.from, t.action, t.to);
  } else {
    for (const from of Object.keys(table) as S[]) {
      stateSet.add(from);
      const row = table[from];
      for (const action of Object.keys(row) as A[]) {
        const to = row[action];
        if (to !== undefined) add(from, action, to);
      }
    }
  }
  if (states) {
    for (const s of stateSet) {
      if (!states.includes(s)) throw new Error(`${name}: state ${s} used in a transition but not declared`);
    }
  }
  return { map, stateSet, actionSet };
}
