// The attack table of test/ledger/attack-matrix.ts, second half: rewritten hashes and dropped rows.
import { CASES, runAttack } from './attack-matrix';

describe('attacks on the stored hashes and rows: each against the signer, the self-audit, the witnesses and npm run verify', () => {
  it.each(CASES.filter((c) => c.group === 'storage'))('$name', (c) => runAttack(c), 180_000);
});
