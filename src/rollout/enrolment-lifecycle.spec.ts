import { IllegalTransitionError } from '../common/lifecycle';
import { ENROLMENT_ACTIONS, ENROLMENT_STATES, EnrolmentAction, EnrolmentState, enrolmentLifecycle, nextEnrolmentState } from './enrolment-lifecycle';

const legal: Array<[EnrolmentState, EnrolmentAction, EnrolmentState]> = [
  ['INTERESTED', 'ENROL', 'ENROLLED'],
  ['INTERESTED', 'DECLINE', 'DECLINED'],
  ['INTERESTED', 'WITHDRAW', 'WITHDRAWN'],
  ['ENROLLED', 'ACTIVATE', 'ACTIVE'],
  ['ENROLLED', 'WITHDRAW', 'WITHDRAWN'],
  ['ACTIVE', 'WITHDRAW', 'WITHDRAWN'],
];

describe('enrolment lifecycle', () => {
  it.each(legal)('%s --%s--> %s', (from, action, to) => {
    expect(nextEnrolmentState(from, action)).toBe(to);
  });

  const legalKeys = new Set(legal.map(([f, a]) => `${f}:${a}`));
  const illegal = ENROLMENT_STATES.flatMap((from) => ENROLMENT_ACTIONS.filter((a) => !legalKeys.has(`${from}:${a}`)).map((a) => [from, a] as const));

  it('has 14 illegal pairs out of 20', () => {
    expect(illegal).toHaveLength(14);
  });

  it.each(illegal)('%s --%s--> is refused', (from, action) => {
    let caught: unknown;
    try {
      nextEnrolmentState(from, action);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    expect((caught as IllegalTransitionError).from).toBe(from);
    expect((caught as IllegalTransitionError).action).toBe(action);
  });

  it('names the target state of a refused action', () => {
    expect(() => nextEnrolmentState('ACTIVE', 'ENROL')).toThrow('enrolment: cannot ENROL from ACTIVE (to ENROLLED)');
  });

  it('DECLINED and WITHDRAWN are final', () => {
    expect(enrolmentLifecycle.isFinal('DECLINED')).toBe(true);
    expect(enrolmentLifecycle.isFinal('WITHDRAWN')).toBe(true);
    expect(enrolmentLifecycle.isFinal('ACTIVE')).toBe(false);
  });
});
