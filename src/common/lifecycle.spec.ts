import { defineLifecycle, IllegalTransitionError } from './lifecycle';

type Light = 'RED' | 'GREEN' | 'AMBER' | 'OFF';
type Signal = 'GO' | 'SLOW' | 'STOP' | 'SWITCH_OFF';

const light = defineLifecycle<Light, Signal>(
  {
    RED: { GO: 'GREEN', SWITCH_OFF: 'OFF' },
    GREEN: { SLOW: 'AMBER' },
    AMBER: { STOP: 'RED' },
    OFF: {},
  },
  { name: 'light' },
);

describe('defineLifecycle (map form)', () => {
  it('returns the declared next state', () => {
    expect(light.next('RED', 'GO')).toBe('GREEN');
    expect(light.next('GREEN', 'SLOW')).toBe('AMBER');
    expect(light.next('AMBER', 'STOP')).toBe('RED');
  });

  it('throws IllegalTransitionError naming from, action and the would-be target', () => {
    let caught: unknown;
    try {
      light.next('GREEN', 'STOP');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    const err = caught as IllegalTransitionError<Light, Signal>;
    expect(err.code).toBe('ILLEGAL_TRANSITION');
    expect(err.lifecycle).toBe('light');
    expect(err.from).toBe('GREEN');
    expect(err.action).toBe('STOP');
    expect(err.to).toBe('RED');
    expect(err.allowedActions).toEqual(['SLOW']);
    expect(err.message).toBe('light: cannot STOP from GREEN (to RED); allowed from GREEN: SLOW');
  });

  it('reports a final state in the message', () => {
    expect(() => light.next('OFF', 'GO')).toThrow('light: cannot GO from OFF (to GREEN); OFF is final');
  });

  it('answers can/allowedActions/isFinal', () => {
    expect(light.can('RED', 'GO')).toBe(true);
    expect(light.can('RED', 'STOP')).toBe(false);
    expect(light.allowedActions('RED')).toEqual(['GO', 'SWITCH_OFF']);
    expect(light.isFinal('OFF')).toBe(true);
    expect(light.isFinal('RED')).toBe(false);
    expect([...light.states].sort()).toEqual(['AMBER', 'GREEN', 'OFF', 'RED']);
  });

  it('lists transitions', () => {
    expect(light.transitions()).toEqual([
      { from: 'RED', action: 'GO', to: 'GREEN' },
      { from: 'RED', action: 'SWITCH_OFF', to: 'OFF' },
      { from: 'GREEN', action: 'SLOW', to: 'AMBER' },
      { from: 'AMBER', action: 'STOP', to: 'RED' },
    ]);
  });
});

describe('defineLifecycle (list form)', () => {
  const door = defineLifecycle<'OPEN' | 'SHUT' | 'GONE', 'CLOSE' | 'OPEN_IT' | 'REMOVE'>(
    [
      { from: 'OPEN', action: 'CLOSE', to: 'SHUT' },
      { from: 'SHUT', action: 'OPEN_IT', to: 'OPEN' },
      { from: 'SHUT', action: 'REMOVE', to: 'GONE' },
    ],
    { states: ['OPEN', 'SHUT', 'GONE'] },
  );

  it('behaves like the map form', () => {
    expect(door.next('OPEN', 'CLOSE')).toBe('SHUT');
    expect(door.isFinal('GONE')).toBe(true);
    expect(() => door.next('OPEN', 'REMOVE')).toThrow(IllegalTransitionError);
  });

  it('rejects duplicate rows', () => {
    expect(() =>
      defineLifecycle<'A' | 'B', 'X'>([
        { from: 'A', action: 'X', to: 'B' },
        { from: 'A', action: 'X', to: 'A' },
      ]),
    ).toThrow('duplicate transition A --X-->');
  });

  it('rejects states used but not declared', () => {
    expect(() => defineLifecycle<'A' | 'B', 'X'>([{ from: 'A', action: 'X', to: 'B' }], { states: ['A'] })).toThrow(
      'state B used in a transition but not declared',
    );
  });

  it('an unknown action has no `to`', () => {
    try {
      door.next('OPEN', 'NOPE' as never);
      throw new Error('should have thrown');
    } catch (e) {
      expect((e as IllegalTransitionError).to).toBeUndefined();
      expect((e as Error).message).toBe('lifecycle: cannot NOPE from OPEN; allowed from OPEN: CLOSE');
    }
  });
});
