// What this browser trusts about the transfer log, kept in localStorage for this registry's origin
// (docs/architecture.md#trust-model, part 5): the log's verifier key and the witnesses' cosigner keys
// with the quorum (pinned on first use, or pasted by the regulator from an out-of-band source), and the
// last checkpoint it verified, from which every later visit must prove consistency (RFC 9162 §2.1.4).
// No token or personal data is stored here: keys and a public checkpoint only.

const PREFIX = 'gba-registry.ledger-trust.v1 ';

export function storageKey(origin = window.location.origin) {
  return PREFIX + origin;
}

/**
 * The stored trust, null when none is stored, or { unreadable: true } when what is stored is not what this
 * page wrote (the page then pins nothing silently and asks for the keys).
 */
export function loadTrust() {
  const raw = window.localStorage.getItem(storageKey());
  if (raw === null) return null;
  try {
    const trust = JSON.parse(raw);
    const keysOk = typeof trust.logKey === 'string' && Array.isArray(trust.witnesses) && trust.witnesses.every((w) => typeof w === 'string');
    const quorumOk = Number.isSafeInteger(trust.quorum) && trust.quorum >= 0 && trust.quorum <= trust.witnesses.length;
    const lastOk =
      trust.last === null || (Number.isSafeInteger(trust.last?.size) && typeof trust.last.root === 'string' && typeof trust.last.note === 'string');
    if (!keysOk || !quorumOk || !lastOk || !['first-use', 'out-of-band'].includes(trust.source)) return { unreadable: true };
    return trust;
  } catch {
    return { unreadable: true };
  }
}

export function saveTrust(trust) {
  window.localStorage.setItem(storageKey(), JSON.stringify(trust));
}

/** Trust on first use: the keys the registry showed on this first visit. */
export function pinFirstUse(serverKey, now = new Date()) {
  return {
    logKey: serverKey.verifierKey,
    witnesses: [...(serverKey.witnesses ?? [])],
    quorum: serverKey.witnessQuorum ?? 0,
    source: 'first-use',
    pinnedAt: now.toISOString(),
    last: null,
  };
}

/**
 * Keys pasted from an out-of-band source replace the pins. The remembered checkpoint is kept when the log key
 * is the same one (the log it was verified against); with another log key there is nothing to compare it with.
 */
export function pinOutOfBand(previous, { logKey, witnesses, quorum }, now = new Date()) {
  const sameLog = previous && !previous.unreadable && previous.logKey === logKey;
  return { logKey, witnesses, quorum, source: 'out-of-band', pinnedAt: now.toISOString(), last: sameLog ? previous.last : null };
}

/**
 * What the server shows now that differs from the pins: [{ kind: 'log'|'witness-changed'|'witness-added'|'witness-removed', name, pinned?, served? }].
 * Witnesses are matched by key name.
 */
export function keyChanges(trust, serverKey) {
  const changes = [];
  if (serverKey.verifierKey !== trust.logKey) {
    changes.push({ kind: 'log', name: nameOf(trust.logKey), pinned: trust.logKey, served: serverKey.verifierKey });
  }
  const served = new Map((serverKey.witnesses ?? []).map((key) => [nameOf(key), key]));
  const pinned = new Map(trust.witnesses.map((key) => [nameOf(key), key]));
  for (const [name, key] of pinned) {
    if (!served.has(name)) changes.push({ kind: 'witness-removed', name, pinned: key });
    else if (served.get(name) !== key) changes.push({ kind: 'witness-changed', name, pinned: key, served: served.get(name) });
  }
  for (const [name, key] of served) if (!pinned.has(name)) changes.push({ kind: 'witness-added', name, served: key });
  return changes;
}

export function nameOf(verifierKey) {
  return String(verifierKey).split('+')[0];
}
