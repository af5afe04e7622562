import { incidentFactErrors } from './incidents';

describe('an incident’s facts (R14)', () => {
  const now = new Date('2025-03-10T00:00:00Z');
  const sides = ['GD_CAC', 'HK_DPO', 'HK_PCPD'];
  const occurredAt = '2025-03-01T02:00:00Z';

  it('accepts facts in order: occurred, discovered, notified, all by now', () => {
    expect(
      incidentFactErrors(
        {
          occurredAt,
          discoveredAt: '2025-03-01T02:00:00Z',
          notifiedAuthorities: [
            { authority: 'GD_CAC', notifiedAt: '2025-03-02T00:00:00Z' },
            { authority: 'HK_PCPD', notifiedAt: '2025-03-10T00:00:00Z' },
          ],
        },
        sides,
        now,
      ),
    ).toEqual([]);
    expect(incidentFactErrors({ occurredAt }, sides, now)).toEqual([]);
  });

  it('refuses an incident in the future, or discovered before it occurred or after now', () => {
    expect(incidentFactErrors({ occurredAt: '2025-03-11T00:00:00Z' }, sides, now).map((e) => e.field)).toEqual(['occurredAt']);
    expect(incidentFactErrors({ occurredAt, discoveredAt: '2025-02-28T00:00:00Z' }, sides, now)).toEqual([
      { field: 'discoveredAt', rule: 'R14', message: 'discoveredAt must not be before occurredAt' },
    ]);
    expect(incidentFactErrors({ occurredAt, discoveredAt: '2025-03-11T00:00:00Z' }, sides, now).map((e) => e.message)).toEqual([
      'discoveredAt must not be in the future',
    ]);
  });

  it('refuses an authority of neither side, one listed twice, and a notification in the future or before the incident', () => {
    const errors = incidentFactErrors(
      {
        occurredAt,
        notifiedAuthorities: [
          { authority: 'MO_DSPDP', notifiedAt: '2025-03-02T00:00:00Z' },
          { authority: 'GD_CAC', notifiedAt: '2025-03-12T00:00:00Z' },
          { authority: 'GD_CAC', notifiedAt: '2025-02-01T00:00:00Z' },
        ],
      },
      sides,
      now,
    );
    expect(errors.map((e) => [e.field, e.rule])).toEqual([
      ['notifiedAuthorities[0].authority', 'R14'],
      ['notifiedAuthorities[1].notifiedAt', 'R14'],
      ['notifiedAuthorities[2].authority', 'R14'],
      ['notifiedAuthorities[2].notifiedAt', 'R14'],
    ]);
    expect(errors[0].message).toBe("authority must be one of the contract's sides' authorities: GD_CAC, HK_DPO, HK_PCPD");
  });
});
