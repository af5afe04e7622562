import { EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors';
import { IllegalTransitionError } from '../common/lifecycle';
import { EnrolmentAction, EnrolmentState } from './enrolment-lifecycle';
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

/** IllegalTransitionError → 409 problem+json with `from`, `action`, `to` and `allowedActions` members. */
export function illegalTransitionProblem(error: IllegalTransitionError): DomainError {
  return new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'Illegal enrolment transition', {
    detail: error.message,
    extensions: {
      from: error.from,
      action: error.action,
      ...(error.to !== undefined ? { to: error.to } : {}),
      allowedActions: error.allowedActions,
    },
  });
}
