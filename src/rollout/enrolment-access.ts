// What the access policy reads of a pilot enrolment, and which permission each action needs
// (docs/architecture.md#access; the decisions are src/access's).
import { may, ResourceScope } from '../access/access';
import { Jurisdiction, Permission, Principal } from '../access/policy';
import { ENROLMENT_ACTION_ACTOR, EnrolmentAction } from './enrolment-lifecycle';

export interface EnrolmentScope {
  organisationId: string;
  jurisdiction: Jurisdiction;
}

/** An enrolment is scoped like its organisation: the organisation, and its side. */
export function enrolmentScope(enrolment: EnrolmentScope): ResourceScope {
  return { parties: [enrolment.organisationId], sides: [enrolment.jurisdiction] };
}

/** ADMINISTRATOR actions are enrolment decisions; ORGANISATION actions the organisation's own; SYSTEM actions nobody's over HTTP. */
const ACTOR_PERMISSION: Record<(typeof ENROLMENT_ACTION_ACTOR)[EnrolmentAction], Permission | null> = {
  ADMINISTRATOR: 'enrolment.decide',
  ORGANISATION: 'enrolment.withdraw',
  SYSTEM: null,
};

/** Who may take an action (ENROLMENT_ACTION_ACTOR), by the permission its actor needs. */
export function mayTakeAction(principal: Principal, action: EnrolmentAction, enrolment: EnrolmentScope): boolean {
  const permission = ACTOR_PERMISSION[ENROLMENT_ACTION_ACTOR[action]];
  return permission !== null && may(principal, permission, enrolmentScope(enrolment));
}
