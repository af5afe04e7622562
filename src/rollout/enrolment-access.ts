// Who may see and act on a pilot enrolment (docs/api.md#authentication-and-roles): plain functions, unit-tested.
import { authorityMayWrite, isAdmin, isRegulator, Principal, sideOfAuthority } from '../common/roles';
import { ENROLMENT_ACTION_ACTOR, EnrolmentAction } from './enrolment-lifecycle';

export interface EnrolmentScope {
  organisationId: string;
  jurisdiction: 'MAINLAND' | 'HONG_KONG';
}

/** Scoped like organisations: admins all; regulators their side; organisation users their own. */
export function canSeeEnrolment(principal: Principal, enrolment: EnrolmentScope): boolean {
  if (isAdmin(principal)) return true;
  if (isRegulator(principal)) return !!principal.authority && sideOfAuthority(principal.authority) === enrolment.jurisdiction;
  return principal.organisationId !== null && principal.organisationId === enrolment.organisationId;
}

/**
 * Who may take an action (ENROLMENT_ACTION_ACTOR): ADMINISTRATOR actions by a system administrator
 * or a regulator of the organisation's side that may write (not the PCPD); ORGANISATION actions
 * by the organisation's own users; SYSTEM actions by nobody over HTTP.
 */
export function mayTakeAction(principal: Principal, action: EnrolmentAction, enrolment: EnrolmentScope): boolean {
  switch (ENROLMENT_ACTION_ACTOR[action]) {
    case 'ADMINISTRATOR':
      if (isAdmin(principal)) return true;
      return (
        isRegulator(principal) &&
        !!principal.authority &&
        authorityMayWrite(principal.authority) &&
        sideOfAuthority(principal.authority) === enrolment.jurisdiction
      );
    case 'ORGANISATION':
      return (principal.role === 'ORG_ADMIN' || principal.role === 'ORG_FILER') && principal.organisationId === enrolment.organisationId;
    case 'SYSTEM':
      return false;
  }
}
