import { ContractTerms, GBA_CITIES, ProposedContract, deriveDirection, isGbaCity, isIsoDate, validateContract } from './contract-rules';
import { sampleTerms } from './sample-terms.fixture';

function terms(overrides: Partial<ContractTerms> = {}, annex: Partial<ContractTerms['annex']> = {}): ContractTerms {
  return sampleTerms(overrides, annex);
}

function proposal(p: Partial<ProposedContract> = {}): ProposedContract {
  return {
    terms: terms(),
    processor: { jurisdiction: 'MAINLAND', city: 'SHENZHEN' },
    recipient: { jurisdiction: 'HONG_KONG', city: 'HONG_KONG' },
    closedSectors: [],
    regimeSides: ['MAINLAND', 'HONG_KONG'],
    settings: { STORAGE_LOCATION: 'REFUSE', PIPIA_BEFORE: 'FIRST_TRANSFER' },
    ...p,
  };
}

const codes = (p: ProposedContract) => validateContract(p).map((v) => v.code);

describe('validateContract', () => {
  it('accepts the example of docs/api.md', () => {
    expect(validateContract(proposal())).toEqual([]);
  });

  it('accepts the HK→Mainland direction', () => {
    expect(
      validateContract(
        proposal({
          processor: { jurisdiction: 'HONG_KONG', city: 'HONG_KONG' },
          recipient: { jurisdiction: 'MAINLAND', city: 'ZHAOQING' },
        }),
      ),
    ).toEqual([]);
  });

  it('R1: a party outside the nine cities and Hong Kong', () => {
    const v = validateContract(proposal({ processor: { jurisdiction: 'MAINLAND', city: 'BEIJING' } }));
    expect(v).toEqual([expect.objectContaining({ code: 'PARTY_OUTSIDE_GBA', rule: 'R1', field: 'processorId' })]);
  });

  it('R1: a Hong Kong-side party registered in Macao is outside this regime GBA', () => {
    const v = validateContract(proposal({ recipient: { jurisdiction: 'HONG_KONG', city: 'MACAO' } }));
    expect(v.map((x) => [x.code, x.field])).toEqual([['PARTY_OUTSIDE_GBA', 'recipientId']]);
  });

  it('R2: two Mainland parties', () => {
    const v = validateContract(proposal({ recipient: { jurisdiction: 'MAINLAND', city: 'GUANGZHOU' } }));
    expect(v).toEqual([expect.objectContaining({ code: 'SAME_SIDE_PARTIES', rule: 'R2' })]);
  });

  it('R2: two Hong Kong parties', () => {
    expect(codes(proposal({ processor: { jurisdiction: 'HONG_KONG', city: 'HONG_KONG' } }))).toEqual(['SAME_SIDE_PARTIES']);
  });

  it('R3: important data declared', () => {
    expect(validateContract(proposal({ terms: terms({ importantDataIncluded: true }) }))).toEqual([
      expect.objectContaining({ code: 'IMPORTANT_DATA_DECLARED', rule: 'R3', field: 'importantDataIncluded' }),
    ]);
  });

  it('R5: onward recipient outside the GBA, named by index', () => {
    const t = terms(
      {},
      {
        onwardRecipients: [
          { name: 'A', city: 'FOSHAN' },
          { name: 'B', city: 'SINGAPORE' },
        ],
      },
    );
    expect(validateContract(proposal({ terms: t }))).toEqual([
      expect.objectContaining({
        code: 'ONWARD_RECIPIENT_OUTSIDE_GBA',
        rule: 'R5',
        field: 'annex.onwardRecipients[1].city',
      }),
    ]);
  });

  it('R5: storage outside the GBA', () => {
    expect(validateContract(proposal({ terms: terms({}, { storageLocation: { city: 'BEIJING' } }) }))).toEqual([
      expect.objectContaining({ code: 'STORAGE_OUTSIDE_GBA', rule: 'R5', field: 'annex.storageLocation.city' }),
    ]);
  });

  it('R15: sector not open', () => {
    expect(validateContract(proposal({ closedSectors: ['processor'] }))).toEqual([
      expect.objectContaining({ code: 'SECTOR_NOT_OPEN', rule: 'R15', field: 'effectiveDate', message: expect.stringMatching(/^The processor's sector/) }),
    ]);
    expect(validateContract(proposal({ closedSectors: ['processor', 'recipient'] }))).toEqual([
      expect.objectContaining({ code: 'SECTOR_NOT_OPEN', message: expect.stringMatching(/^The processor's and the recipient's sector/) }),
    ]);
  });

  it('R5 [A]: storage outside the GBA is allowed when the STORAGE_LOCATION setting is ALLOW', () => {
    const outside = terms({}, { storageLocation: { city: 'BEIJING' } });
    expect(codes(proposal({ terms: outside, settings: { STORAGE_LOCATION: 'ALLOW', PIPIA_BEFORE: 'FIRST_TRANSFER' } }))).toEqual([]);
  });

  it("R16: the parties must be on the regime's two sides (a Mainland–Macao regime cannot carry a Mainland–HK contract)", () => {
    expect(validateContract(proposal({ terms: terms({ regime: 'GBA_MAINLAND_MACAO' }), regimeSides: ['MAINLAND', 'MACAO'] }))).toEqual([
      expect.objectContaining({ code: 'REGIME_SIDES_MISMATCH', rule: 'R16', field: 'regime' }),
    ]);
    expect(codes(proposal({ regimeSides: ['HONG_KONG', 'MAINLAND'] }))).toEqual([]);
    expect(codes(proposal({ regimeSides: ['MAINLAND'] }))).toEqual(['REGIME_SIDES_MISMATCH']);
    expect(codes(proposal({ regimeSides: ['MAINLAND', 'HONG_KONG', 'MACAO'] }))).toEqual(['REGIME_SIDES_MISMATCH']);
    // An unknown regime has no sides to compare; the sector gate refuses it (SECTOR_NOT_OPEN).
    expect(codes(proposal({ regimeSides: null, closedSectors: ['processor'] }))).toEqual(['SECTOR_NOT_OPEN']);
  });

  it('expiry before effective; expiry on the effective date is fine', () => {
    expect(codes(proposal({ terms: terms({ expiryDate: '2025-01-23' }) }))).toEqual(['EXPIRY_BEFORE_EFFECTIVE']);
    expect(codes(proposal({ terms: terms({ expiryDate: '2025-01-24' }) }))).toEqual([]);
    expect(codes(proposal({ terms: terms({ expiryDate: null }) }))).toEqual([]);
  });

  it('retention period ending before it starts', () => {
    const t = terms({}, { retentionPeriod: { from: '2025-01-24', to: '2025-01-23' } });
    expect(validateContract(proposal({ terms: t }))).toEqual([
      expect.objectContaining({ code: 'RETENTION_PERIOD_INVALID', field: 'annex.retentionPeriod.to' }),
    ]);
  });

  it('R6: a PIPIA completed after the effective date is not refused under PIPIA_BEFORE FIRST_TRANSFER (transfers before it are flagged)', () => {
    const late = terms({ pipia: { completedOn: '2025-03-01', conclusion: 'ok', reportSha256: 'b'.repeat(64) } });
    expect(codes(proposal({ terms: late }))).toEqual([]);
  });

  it('R6: under PIPIA_BEFORE EFFECTIVE_DATE a PIPIA completed after the effective date is refused; on the day is fine', () => {
    const strict = { STORAGE_LOCATION: 'REFUSE', PIPIA_BEFORE: 'EFFECTIVE_DATE' } as const;
    const late = terms({ pipia: { completedOn: '2025-01-25', conclusion: 'ok', reportSha256: 'b'.repeat(64) } });
    expect(validateContract(proposal({ terms: late, settings: strict }))).toEqual([
      expect.objectContaining({ code: 'PIPIA_AFTER_EFFECTIVE', rule: 'R6', field: 'pipia.completedOn' }),
    ]);
    const onDay = terms({ pipia: { completedOn: '2025-01-24', conclusion: 'ok', reportSha256: 'b'.repeat(64) } });
    expect(codes(proposal({ terms: onDay, settings: strict }))).toEqual([]);
  });

  it('invalid dates are reported and not compared', () => {
    const t = terms({ effectiveDate: '2025-02-30' });
    expect(validateContract(proposal({ terms: t }))).toEqual([expect.objectContaining({ code: 'INVALID_DATE', field: 'effectiveDate' })]);
  });

  it('reports several violations in check order', () => {
    const t = terms({ importantDataIncluded: true }, { storageLocation: { city: 'OTHER' } });
    expect(codes(proposal({ terms: t, processor: { jurisdiction: 'HONG_KONG', city: 'BEIJING' }, closedSectors: ['processor'] }))).toEqual([
      'PARTY_OUTSIDE_GBA',
      'SAME_SIDE_PARTIES',
      'IMPORTANT_DATA_DECLARED',
      'STORAGE_OUTSIDE_GBA',
      'SECTOR_NOT_OPEN',
    ]);
  });
});

describe('deriveDirection (R2)', () => {
  it('runs from processor to recipient', () => {
    expect(deriveDirection('MAINLAND', 'HONG_KONG')).toBe('MAINLAND_TO_HK');
    expect(deriveDirection('HONG_KONG', 'MAINLAND')).toBe('HK_TO_MAINLAND');
  });
  it('throws for same-side parties', () => {
    expect(() => deriveDirection('MAINLAND', 'MAINLAND')).toThrow(RangeError);
  });
});

describe('GBA cities', () => {
  it('has nine Mainland cities, Hong Kong and Macao', () => {
    expect(GBA_CITIES.size).toBe(11);
    expect(isGbaCity('DONGGUAN')).toBe(true);
    expect(isGbaCity('MACAO')).toBe(true);
    expect(isGbaCity('guangzhou')).toBe(false);
    expect(isGbaCity(null)).toBe(false);
  });
  it('isIsoDate rejects impossible dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-1-01')).toBe(false);
  });
});

describe('R1 city must be on the party own side', () => {
  it('a Mainland party registered in Hong Kong is refused', () => {
    expect(codes(proposal({ processor: { jurisdiction: 'MAINLAND', city: 'HONG_KONG' } }))).toEqual(['PARTY_OUTSIDE_GBA']);
  });
});
