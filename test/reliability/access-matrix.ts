/*
 * Issue 8.5 — the one declared table of who may do what (docs/api.md#authentication-and-roles,
 * and "a caller who may not see a resource gets 404, not 403"). The access test
 * generates its cells from the live route list; a route missing here fails it.
 *
 * Callers: anonymous, SYSTEM_ADMIN, the four regulators, and the three roles of
 * organisation "A" (Mainland, processor of contract C). The Macao regulator (MO_DSPDP) supervises
 * neither side of these Mainland–Hong Kong resources: its "own" and "other" targets are the Hong Kong
 * and the Mainland side's, hidden from it (404), as the regulators' "other" are; its own webhook
 * subscription is its own. Targets, per caller:
 *   own   — organisation users: A's resources (contract C with Hong Kong B);
 *           regulators: the resource on their own side (GD_CAC: Mainland A and the
 *           processor's filing; HK_DPO / HK_PCPD: Hong Kong B and the recipient's filing);
 *   other — organisation users: another organisation's (X, contract C' with Y);
 *           regulators: the resource on the other side (contracts: C', which like
 *           every contract touches both sides).
 * Outcomes: 'ok' — access granted (2xx, or a domain answer past the access check
 * such as 400/409/422); 401 no or bad token; 403 role not admitted; 404 hidden.
 */
export type Outcome = 'ok' | 401 | 403 | 404;
export type Scope = 'own' | 'other';
export const CALLERS = ['anonymous', 'SYSTEM_ADMIN', 'GD_CAC', 'HK_DPO', 'HK_PCPD', 'MO_DSPDP', 'ORG_ADMIN', 'ORG_FILER', 'ORG_SYSTEM'] as const;
export type Caller = (typeof CALLERS)[number];
export type Expectation = Outcome | { own: Outcome; other: Outcome };
export type Row = Record<Caller, Expectation>;

const OWN_ONLY = { own: 'ok', other: 404 } as const;
const own = OWN_ONLY;

/** Everyone, signed in or not. */
const open = (): Row => ({
  anonymous: 'ok',
  SYSTEM_ADMIN: 'ok',
  GD_CAC: 'ok',
  HK_DPO: 'ok',
  HK_PCPD: 'ok',
  MO_DSPDP: 'ok',
  ORG_ADMIN: 'ok',
  ORG_FILER: 'ok',
  ORG_SYSTEM: 'ok',
});
/** Signed in; every role not listed gets 403. */
const only = (admitted: Partial<Row>): Row => ({
  anonymous: 401,
  SYSTEM_ADMIN: 403,
  GD_CAC: 403,
  HK_DPO: 403,
  HK_PCPD: 403,
  MO_DSPDP: 403,
  ORG_ADMIN: 403,
  ORG_FILER: 403,
  ORG_SYSTEM: 403,
  ...admitted,
});

/** Read a contract or its parts: administrators and regulators of either side; the parties. */
const contractRead = only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 404, ORG_ADMIN: own, ORG_FILER: own });
/** Act on a contract as a party (file, amend, terminate, report, upload). */
const partyWrite = only({ ORG_ADMIN: own, ORG_FILER: own });
/** Read the transfer log: everyone signed in; what they see is filtered to what is theirs. */
const logRead = only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok', ORG_SYSTEM: 'ok' });
/** Organisation register and enrolments: administrators all; regulators their own side; organisation users their own. */
const sideScoped = only({ SYSTEM_ADMIN: 'ok', GD_CAC: own, HK_DPO: own, HK_PCPD: own, MO_DSPDP: 404, ORG_ADMIN: own, ORG_FILER: own });

export const ACCESS_MATRIX: Record<string, Row> = {
  'POST /auth/token': open(),
  'GET /auth/me': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok', ORG_SYSTEM: 'ok' }),
  // Console sessions are carried by the session cookie, not a bearer token: without one, every caller is refused.
  'POST /auth/refresh': {
    anonymous: 401,
    SYSTEM_ADMIN: 401,
    GD_CAC: 401,
    HK_DPO: 401,
    HK_PCPD: 401,
    MO_DSPDP: 401,
    ORG_ADMIN: 401,
    ORG_FILER: 401,
    ORG_SYSTEM: 401,
  },
  // Signing out needs nothing but the cookie it ends (none: nothing to end).
  'POST /auth/logout': open(),
  // Administrators list every user; an organisation's administrator its own organisation's (filtered, not refused).
  'GET /users': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: 'ok' }),
  'POST /users': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),
  'POST /users/:id/password': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),
  'POST /users/:id/disable': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),
  // Every user changes their own password; a service account has none.
  'POST /users/me/password': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok' }),
  'POST /organisations/:id/service-accounts': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),
  'GET /organisations/:id/service-accounts': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),
  'POST /organisations/:id/service-accounts/:accountId/disable': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),
  'POST /organisations/:id/service-accounts/:accountId/rotate-secret': only({ SYSTEM_ADMIN: 'ok', ORG_ADMIN: own }),

  'GET /calendar/coverage': open(),
  'GET /calendar/deadline': open(),
  'GET /calendar/overrides': open(),
  'POST /calendar/overrides': only({ SYSTEM_ADMIN: 'ok' }),

  'GET /console': open(),
  'GET /console/assets/:name': open(),
  'GET /console/vendor/chart.umd.js': open(),
  'GET /docs': open(),
  'GET /docs/*': open(),
  'GET /docs/docs/swagger-ui-init.js': open(),
  'GET /docs/index.html': open(),
  // Registered by Swagger UI's static plugin, but swagger-ui-dist ships no LICENSE file: 404 for everyone.
  'GET /docs/LICENSE': {
    anonymous: 404,
    SYSTEM_ADMIN: 404,
    GD_CAC: 404,
    HK_DPO: 404,
    HK_PCPD: 404,
    MO_DSPDP: 404,
    ORG_ADMIN: 404,
    ORG_FILER: 404,
    ORG_SYSTEM: 404,
  },
  'GET /docs/swagger-ui-init.js': open(),
  'GET /openapi.json': open(),
  'GET /health/live': open(),
  'GET /health/ready': open(),
  'GET /metrics': open(),
  'GET /reference': open(),

  'GET /contracts': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok' }),
  // Filed by the processor's organisation users only. Naming another processor is refused from the
  // caller's own principal, before any lookup, so the 403 reveals nothing about that organisation.
  'POST /contracts': only({ ORG_ADMIN: { own: 'ok', other: 403 }, ORG_FILER: { own: 'ok', other: 403 } }),
  'GET /contracts/:id': contractRead,
  'GET /contracts/:id/versions': contractRead,
  'GET /contracts/:id/versions/:n': contractRead,
  'GET /contracts/:id/history': contractRead,
  'GET /contracts/:id/incidents': contractRead,
  'POST /contracts/:id/amendments': partyWrite,
  'POST /contracts/:id/amendments/preview': partyWrite,
  'POST /contracts/:id/terminate': partyWrite,
  'POST /contracts/:id/incidents': partyWrite,
  'POST /contracts/:id/documents': partyWrite,
  'POST /contracts/:id/filings/:party/submit': partyWrite,
  // Filing materials are for the parties and the regulators of each party's side (R8, R10: the
  // reviewing authority; the PCPD, auditing the Hong Kong side), not the programme administrators.
  // The documents here are the Mainland processors', so HK_DPO and HK_PCPD list the contract's
  // materials (the Hong Kong party's) but cannot open these.
  'GET /contracts/:id/documents': only({ GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 404, ORG_ADMIN: own, ORG_FILER: own }),
  'GET /contracts/:id/documents/:documentId': only({ GD_CAC: 'ok', HK_DPO: 404, HK_PCPD: 404, MO_DSPDP: 404, ORG_ADMIN: own, ORG_FILER: own }),
  // R8: each filing is reviewed by the authority of its own side; the PCPD reviews nothing.
  // The other side's filing is not the regulator's to see: 404.
  'POST /contracts/:id/filings/:party/review': only({ GD_CAC: own, HK_DPO: own, HK_PCPD: 403, MO_DSPDP: 404 }),

  // Notices of contracts' ends (R13): a regulator its side's, an organisation's users those of its contracts
  // (filtered, not refused). Each notice is acknowledged by the authority it is addressed to ("own": the
  // caller's authority's notice, the PCPD's side's DPO notice; "other": the other side's, hidden); the PCPD audits.
  'GET /notices': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok' }),
  'POST /notices/:id/acknowledge': only({ GD_CAC: own, HK_DPO: own, HK_PCPD: { own: 403, other: 404 }, MO_DSPDP: 404 }),
  // Incidents across the registry (R14): regulators and administrators, filtered to the contracts they may read.
  'GET /incidents': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok' }),

  'GET /ledger/checkpoint': open(),
  'GET /ledger/public-key': open(),
  'GET /ledger/entries': logRead,
  'GET /ledger/proofs/consistency': logRead,
  // The log's self-audit (docs/architecture.md#trust-model): regulators and administrators.
  'GET /ledger/integrity': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok' }),
  // Retention archives of the whole log (R18): regulators and administrators.
  'GET /ledger/archives': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok' }),
  'GET /ledger/proofs/inclusion': only({
    SYSTEM_ADMIN: 'ok',
    GD_CAC: 'ok',
    HK_DPO: 'ok',
    HK_PCPD: 'ok',
    MO_DSPDP: 'ok',
    ORG_ADMIN: own,
    ORG_FILER: own,
    ORG_SYSTEM: own,
  }),

  'GET /organisations': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok' }),
  // Regulators register organisations of their own side; the PCPD audits read-only (docs/api.md#authentication-and-roles).
  'POST /organisations': only({ SYSTEM_ADMIN: 'ok', GD_CAC: { own: 'ok', other: 403 }, HK_DPO: { own: 'ok', other: 403 } }),
  'GET /organisations/:id': sideScoped,
  'POST /organisations/:id/verify': only({ GD_CAC: own, HK_DPO: own, HK_PCPD: { own: 403, other: 404 }, MO_DSPDP: 404 }),

  'GET /rollout/regimes': open(),
  'POST /rollout/regimes': only({ SYSTEM_ADMIN: 'ok' }),
  'GET /rollout/sectors': open(),
  'GET /rollout/phases': open(),
  'POST /rollout/phases': only({ SYSTEM_ADMIN: 'ok' }),
  'PUT /rules/settings/:code': only({ SYSTEM_ADMIN: 'ok' }),
  'PUT /rules/refiling-triggers/:code': only({ SYSTEM_ADMIN: 'ok' }),
  'GET /rollout/stats': open(),
  'GET /rollout/enrolments': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok', ORG_FILER: 'ok' }),
  // An organisation enrols itself; there is no other organisation to enrol.
  'POST /rollout/enrolments': only({ ORG_ADMIN: 'ok', ORG_FILER: 'ok' }),
  'GET /rollout/enrolments/:id': sideScoped,
  'GET /rollout/enrolments/:id/history': sideScoped,
  // WITHDRAW is the organisation's own action; an administrator or regulator may see the enrolment but not take it.
  'PATCH /rollout/enrolments/:id': only({
    SYSTEM_ADMIN: 403,
    GD_CAC: { own: 403, other: 404 },
    HK_DPO: { own: 403, other: 404 },
    HK_PCPD: { own: 403, other: 404 },
    MO_DSPDP: 404,
    ORG_ADMIN: own,
    ORG_FILER: own,
  }),

  'POST /transfers': only({ ORG_ADMIN: own, ORG_FILER: own, ORG_SYSTEM: own }),
  'GET /transfers': logRead,
  'GET /transfers/export': logRead,
  // Figures of the contracts touching one's side; not for organisations (docs/api.md#transfer-figures).
  'GET /transfers/figures': only({ SYSTEM_ADMIN: 'ok', GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok' }),
  'GET /transfers/summary': only({
    SYSTEM_ADMIN: 'ok',
    GD_CAC: 'ok',
    HK_DPO: 'ok',
    HK_PCPD: 'ok',
    MO_DSPDP: 404,
    ORG_ADMIN: own,
    ORG_FILER: own,
    ORG_SYSTEM: own,
  }),

  // Webhooks (webhook.manage): an organisation's administrator its organisation's subscriptions, a regulator its
  // authority's (the PCPD's too: a subscription changes nothing it audits). "other": another organisation's, or
  // another authority's. Administrators and filers manage none.
  'POST /webhooks': only({ GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok' }),
  'GET /webhooks': only({ GD_CAC: 'ok', HK_DPO: 'ok', HK_PCPD: 'ok', MO_DSPDP: 'ok', ORG_ADMIN: 'ok' }),
  'DELETE /webhooks/:id': only({ GD_CAC: own, HK_DPO: own, HK_PCPD: own, MO_DSPDP: own, ORG_ADMIN: own }),
  'GET /webhooks/:id/deliveries': only({ GD_CAC: own, HK_DPO: own, HK_PCPD: own, MO_DSPDP: own, ORG_ADMIN: own }),
};
