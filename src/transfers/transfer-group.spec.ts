import { ExpectationGate, QUIET_GROUPS_BEFORE_EXPECTING } from './transfer-group';

describe('ExpectationGate', () => {
  it('is open at start and stays open while every checked group finds only this process’s leaves', () => {
    const gate = new ExpectationGate();
    expect(gate.open).toBe(true);
    gate.checked(null, 0);
    gate.checked(10, 10);
    expect(gate.open).toBe(true);
  });

  it('closes when another process appended, and opens again only after enough quiet checked groups in a row', () => {
    const gate = new ExpectationGate();
    gate.checked(10, 12);
    expect(gate.open).toBe(false);
    for (let i = 1; i < QUIET_GROUPS_BEFORE_EXPECTING; i++) {
      gate.checked(20 + i, 20 + i);
      expect(gate.open).toBe(false);
    }
    // Another process's leaves again before the run was long enough: the count starts over.
    gate.checked(40, 41);
    for (let i = 1; i < QUIET_GROUPS_BEFORE_EXPECTING; i++) gate.checked(50 + i, 50 + i);
    expect(gate.open).toBe(false);
    gate.checked(70, 70);
    expect(gate.open).toBe(true);
  });

  it('counts a checked group with nothing to compare (no commit of this process yet) as quiet', () => {
    const gate = new ExpectationGate();
    gate.checked(1, 2);
    for (let i = 0; i < QUIET_GROUPS_BEFORE_EXPECTING; i++) gate.checked(null, i);
    expect(gate.open).toBe(true);
  });
});
