/** The settings of a log signed with the Ed25519 `seed` under `origin`, whose checkpoints `witnesses` cosign (README.md, `LEDGER_WITNESSES`). */
export function witnessedLogEnv(origin: string, seed: Buffer, witnesses: ReadonlyArray<{ url: string; verifierKey: string }>): Record<string, string> {
  return {
    LEDGER_SIGNING_KEY: seed.toString('base64'),
    LEDGER_ORIGIN: origin,
    LEDGER_WITNESSES: witnesses.map((w) => `${w.url} ${w.verifierKey}`).join(','),
  };
}
