import { EVENT_OF_ACTION, historyEvents, NotifiedEntry } from './contract-events';
import { CONTRACT_HISTORY_ACTIONS } from './contract-history.entity';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const C = '33333333-3333-4333-8333-333333333333';
const subjects = new Map([[C, { contractId: C, processorId: A, recipientId: B, processorJurisdiction: 'MAINLAND', recipientJurisdiction: 'HONG_KONG' }]]);
const entry = (over: Partial<NotifiedEntry>): NotifiedEntry => ({
  contractId: C,
  action: 'FILING_SUBMITTED',
  version: 1,
  party: 'processor',
  fromStatus: 'NOT_SUBMITTED',
  toStatus: 'SUBMITTED',
  details: {},
  ...over,
});

describe('notifications of contract history', () => {
  it('notifies filing decisions, amendments, terminations and incidents; not creation, new filings or uploads', () => {
    const notified = CONTRACT_HISTORY_ACTIONS.filter((action) => EVENT_OF_ACTION[action]);
    expect(notified).toEqual(['CONTRACT_AMENDED', 'CONTRACT_TERMINATED', 'FILING_SUBMITTED', 'FILING_ACCEPTED', 'FILING_RETURNED', 'INCIDENT_REPORTED']);
    expect(
      historyEvents([entry({ action: 'CONTRACT_CREATED' }), entry({ action: 'DOCUMENT_UPLOADED' }), entry({ action: 'FILING_CREATED' })], subjects),
    ).toEqual([]);
  });

  it('carries the contract’s parties and what the entry says, scoped for contract.read', () => {
    const [event] = historyEvents(
      [entry({ action: 'FILING_RETURNED', toStatus: 'RETURNED', fromStatus: 'SUBMITTED', details: { reason: 'unsigned' } })],
      subjects,
    );
    expect(event).toEqual({
      type: 'filing.returned',
      data: {
        contractId: C,
        processorId: A,
        recipientId: B,
        reason: 'unsigned',
        version: 1,
        party: 'processor',
        fromStatus: 'SUBMITTED',
        toStatus: 'RETURNED',
      },
      permission: 'contract.read',
      scope: { parties: [A, B], sides: ['MAINLAND', 'HONG_KONG'] },
    });
  });

  it('skips an entry whose contract it was not given (nothing written for it)', () => {
    expect(historyEvents([entry({ contractId: A })], subjects)).toEqual([]);
  });
});
