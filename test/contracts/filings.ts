// The requests a test makes of a contract's filings (docs/api.md#routes), and the deadlines they are counted to.
import { bearer, TestApp } from '../support/app';

export type FilingParty = 'processor' | 'recipient';

/** POST …/filings/:party/submit as `token`: the response. */
export function submitFiling(t: TestApp, token: string, contractId: string, party: FilingParty) {
  return t.http.post(`/contracts/${contractId}/filings/${party}/submit`).set(...bearer(token));
}

/** POST …/filings/:party/review as `token` (a regulator), accepting unless `body` says otherwise: the response. */
export function reviewFiling(t: TestApp, token: string, contractId: string, party: FilingParty, body: Record<string, unknown> = { decision: 'ACCEPT' }) {
  return t.http
    .post(`/contracts/${contractId}/filings/${party}/review`)
    .set(...bearer(token))
    .send(body);
}

/** GET /calendar/deadline: the date `workingDays` working days after `from` in `jurisdiction`'s calendar (R9). */
export async function calendarDeadline(t: TestApp, jurisdiction: string, from: string, workingDays: number): Promise<string> {
  const res = await t.http.get('/calendar/deadline').query({ jurisdiction, from, workingDays: String(workingDays) });
  expect(res.status).toBe(200);
  return res.body.deadline as string;
}
