import { weakPasswordReason, weakSecretReason } from './secret-strength';
import { strengthReasonsInWorker } from './strength-worker';

describe('strengthReasonsInWorker', () => {
  it('gives, in order, the reasons the estimator gives in this thread', () => {
    const secrets = ['abcdefghijklmnopqrstuvwxyz0123456789', 'q8Zr2VtYp0LmN4sKx7WcB1dHf9GjE3aUo6IyT5eR'];
    const passwords: Array<[string, string[]]> = [
      ['password1234', []],
      ['correct horse battery staple 9931', ['admin@registry.example']],
    ];
    const reasons = strengthReasonsInWorker([
      ...secrets.map((value) => ({ kind: 'secret' as const, value })),
      ...passwords.map(([value, userInputs]) => ({ kind: 'password' as const, value, userInputs })),
    ]);
    expect(reasons).toEqual([...secrets.map((s) => weakSecretReason(s)), ...passwords.map(([p, inputs]) => weakPasswordReason(p, inputs))]);
    // Both outcomes are covered: a weak and a fit value of each kind.
    expect(reasons.map((r) => r === undefined)).toEqual([false, true, false, true]);
  });

  it('starts no worker for nothing to check', () => {
    expect(strengthReasonsInWorker([])).toEqual([]);
  });
});
