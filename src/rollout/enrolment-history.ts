import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors';
import { IllegalTransitionError } from '../common/lifecycle';
import { ENROLMENT_ACTION_ACTOR, EnrolmentAction, EnrolmentState } from './enrolment-lifecycle';
import { RolloutEnrolment, RolloutEnrolmentHistory } from './enrolment.entity';

export interface EnrolmentChange {
  action: EnrolmentAction | 'REGISTER';
  from: EnrolmentState | null;
  to: EnrolmentState;
  reason: string | null;
  actorId: string | null;
  actorRole: string;
}

/**
 * Applies a state change and appends its history row through the same manager, so both commit or
 * neither does (docs/contributing.md#database: audit evidence in the transaction of the change it records).
 */
export async function recordEnrolmentChange(manager: EntityManager, enrolment: RolloutEnrolment, change: EnrolmentChange): Promise<void> {
  if (change.from !== null) {
    await manager.getRepository(RolloutEnrolment).update({ id: enrolment.id }, { status: change.to });
    enrolment.status = change.to;
  }
  await manager.getRepository(RolloutEnrolmentHistory).insert({
    enrolmentId: enrolment.id,
    action: change.action,
    fromStatus: change.from,
    toStatus: change.to,
    reason: change.reason,
    actorId: change.actorId,
    actorRole: change.actorRole,
  });
}

const STATE_WORDS: Record<string, string> = {
  INTERESTED: 'has registered interest',
  ENROLLED: 'is enrolled',
  ACTIVE: 'is active',
  DECLINED: 'was declined',
  WITHDRAWN: 'was withdrawn',
};
const ACTION_WORDS: Record<string, string> = { ENROL: 'enrolled', DECLINE: 'declined', WITHDRAW: 'withdrawn', ACTIVATE: 'activated' };

/**
 * IllegalTransitionError → 409 problem+json with `from`, `action`, `to` and `allowedActions` members,
 * and a `detail` a person reads. Neither offers ACTIVATE: the registry does it when a filing is
 * accepted (enrolment-lifecycle.ts), nobody can ask for it.
 */
export function illegalTransitionProblem(error: IllegalTransitionError): DomainError {
  const allowed = error.allowedActions.filter((a) => ENROLMENT_ACTION_ACTOR[a as EnrolmentAction] !== 'SYSTEM');
  const done = ACTION_WORDS[error.action] ?? error.action;
  const state =
    error.to === error.from ? `the enrolment is already ${done}` : `the enrolment ${STATE_WORDS[error.from] ?? error.from}, so it cannot be ${done}`;
  const next =
    error.allowedActions.length === 0
      ? 'it is final: an organisation that wants to try again registers a new enrolment'
      : allowed.length === 0
        ? 'it changes only when the registry activates it'
        : `it can only be ${allowed.map((a) => ACTION_WORDS[a] ?? a).join(' or ')}`;
  return new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'Illegal enrolment transition', {
    detail: `${state}; ${next}`,
    extensions: {
      from: error.from,
      action: error.action,
      ...(error.to !== undefined ? { to: error.to } : {}),
      allowedActions: allowed,
    },
  });
}
