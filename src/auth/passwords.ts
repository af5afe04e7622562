import * as argon2 from 'argon2';

/**
 * argon2id with the OWASP Password Storage Cheat Sheet's first recommended
 * setting (m=19 MiB, t=2, p=1). The `argon2` package loads its shipped
 * prebuilt binary, so it works without running install scripts.
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const hashSecret = (secret: string): Promise<string> => argon2.hash(secret, OPTIONS);

export async function verifySecret(hash: string, secret: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}

/** Verifying against this when the account does not exist keeps timing uniform. */
let dummyHash: Promise<string> | undefined;
export const dummySecretHash = (): Promise<string> => (dummyHash ??= hashSecret('not-a-real-password-0000'));
