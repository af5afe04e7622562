// The attack table of test/ledger/attack-matrix.ts, first half: rewritten leaves and a rewritten readable column.
import { CASES, runAttack } from './attack-matrix';

describe('attacks on the leaves: each against the signer, the self-audit, the witnesses and npm run verify', () => {
  it.each(CASES.filter((c) => c.group === 'leaves'))('$name', (c) => runAttack(c), 180_000);
});
