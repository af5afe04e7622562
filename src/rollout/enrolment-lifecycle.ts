// Pilot enrolment lifecycle (docs/api.md#sector-rollout-and-pilot-enrolment, `POST/PATCH /rollout/enrolments`:
// INTERESTED→ENROLLED→ACTIVE, or WITHDRAWN; rollout by sector and phase, R15).
// Declared as a transition table (docs/contributing.md#shape-of-the-house; after vendure
// packages/core/src/config/order/default-order-process.ts).
//
// Decisions:
// - DECLINE is the administrator's (or regulator's) answer to an INTERESTED
//   organisation; once ENROLLED an organisation can only leave by WITHDRAW.
// - ACTIVATE is done by the system, not a person, when the organisation has an
//   accepted filing (a contract version with a filing in status ACCEPTED, R11).
// - DECLINED and WITHDRAWN are final: an organisation that wants to try again
//   registers a new enrolment, so the history of the old one stays intact.
import { defineLifecycle, Lifecycle } from '../common/lifecycle';

export const ENROLMENT_STATES = ['INTERESTED', 'ENROLLED', 'ACTIVE', 'DECLINED', 'WITHDRAWN'] as const;
export type EnrolmentState = (typeof ENROLMENT_STATES)[number];

export const ENROLMENT_ACTIONS = ['ENROL', 'DECLINE', 'ACTIVATE', 'WITHDRAW'] as const;
export type EnrolmentAction = (typeof ENROLMENT_ACTIONS)[number];

/** Who may take each action (the service checks the caller's role against this). */
export const ENROLMENT_ACTION_ACTOR: Record<EnrolmentAction, 'ADMINISTRATOR' | 'SYSTEM' | 'ORGANISATION'> = {
  ENROL: 'ADMINISTRATOR',
  // Administrator or regulator.
  DECLINE: 'ADMINISTRATOR',
  // When the organisation has an accepted filing.
  ACTIVATE: 'SYSTEM',
  WITHDRAW: 'ORGANISATION',
};

export const enrolmentLifecycle: Lifecycle<EnrolmentState, EnrolmentAction> = defineLifecycle<EnrolmentState, EnrolmentAction>(
  {
    INTERESTED: { ENROL: 'ENROLLED', DECLINE: 'DECLINED', WITHDRAW: 'WITHDRAWN' },
    ENROLLED: { ACTIVATE: 'ACTIVE', WITHDRAW: 'WITHDRAWN' },
    ACTIVE: { WITHDRAW: 'WITHDRAWN' },
    DECLINED: {},
    WITHDRAWN: {},
  },
  { name: 'enrolment' },
);

/** The state an enrolment moves to, or throws IllegalTransitionError (→ 409). */
export function nextEnrolmentState(from: EnrolmentState, action: EnrolmentAction): EnrolmentState {
  return enrolmentLifecycle.next(from, action);
}
