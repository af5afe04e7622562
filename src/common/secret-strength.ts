import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/**
 * How strong a password or a signing secret is, by zxcvbn (Dropbox's estimator, maintained as
 * zxcvbn-ts) with its common-password, diceware and English dictionaries and keyboard graphs.
 * It estimates how many guesses an attacker who knows how people choose passwords would need.
 */
let estimator: ZxcvbnFactory | undefined;

function zxcvbn(): ZxcvbnFactory {
  // Built on first use: loading the dictionaries is slow, and only password checks need them.
  estimator ??= new ZxcvbnFactory({
    translations: english.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...english.dictionary },
  });
  return estimator;
}

/** The score (0–4) a password needs: 3 is "safely unguessable: moderate protection from an offline slow-hash scenario" (10^8 guesses). */
export const MIN_PASSWORD_SCORE = 3;
/** Only the first characters are estimated: the estimator's matching grows fast with length, and a long password is not the weak one. */
const ESTIMATED_LENGTH = 64;
/**
 * A signing secret is estimated on its first 40 characters. The estimator's work and garbage grow with the square
 * of the length (about 120 MB of short-lived allocations for 64 characters, a fifth of that for 40, which a
 * fresh registry's heap would otherwise grow to hold), and 40 random base64 characters are already about 10^39
 * guesses to it, far above MIN_SECRET_GUESSES_LOG10. A secret weak in its first 40 characters is refused however long.
 */
const ESTIMATED_SECRET_LENGTH = 40;

/**
 * Words that mark a value as a placeholder copied from documentation or a sample file, whatever its
 * estimated strength ("change-me-to-a-long-random-secret…" is long, and scores well).
 */
const PLACEHOLDER =
  /change[-_ .]?me|replace[-_ .]?me|placeholder|example|your[-_ .]?(jwt[-_ .]?)?(secret|password)|dummy|sample|insecure|default|not[-_ .]?secret|test[-_ .]?secret/i;

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** Why a password is too weak, in words a user can act on; undefined when it is strong enough. */
export function weakPasswordReason(password: string, userInputs: string[] = []): string | undefined {
  const result = zxcvbn().check(password.slice(0, ESTIMATED_LENGTH), userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter((text): text is string => !!text);
  return `is too easy to guess (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} needed)${why.length ? `: ${why.join(' ')}` : ''}`;
}

/**
 * A signing secret (JWT_SECRET) must be as hard to guess as 100 random bits: 10^30 guesses by the
 * estimator. `openssl rand -base64 48` gives about 10^64.
 */
export const MIN_SECRET_GUESSES_LOG10 = 30;

/** Why a signing secret is unfit; undefined when it is fit. */
export function weakSecretReason(secret: string): string | undefined {
  if (isPlaceholder(secret)) return 'is a placeholder from documentation or a sample file; generate one, e.g. with `openssl rand -base64 48`';
  const guessesLog10 = zxcvbn().check(secret.slice(0, ESTIMATED_SECRET_LENGTH)).guessesLog10;
  if (guessesLog10 < MIN_SECRET_GUESSES_LOG10) {
    return `has too little entropy (about 10^${Math.floor(guessesLog10)} guesses, at least 10^${MIN_SECRET_GUESSES_LOG10} needed); generate one, e.g. with \`openssl rand -base64 48\``;
  }
  return undefined;
}
