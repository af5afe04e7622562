import { ErrorCode } from '../../common/errors';
import { materialsRefusal, missingMaterials, SideMaterials, sniffDocumentType } from './materials';

// The materials as migration 1795688200000 seeds them for every side (rollout_filing_materials).
const kinds = (...list: string[]) => list.map((kind) => ({ kind }));
const SEEDED: SideMaterials = {
  ORGANISATION: kinds('LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT'),
  INDIVIDUAL: kinds('LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT'),
};

describe('missingMaterials (R10)', () => {
  it('lists every required kind not uploaded, in the order of the data', () => {
    expect(missingMaterials(SEEDED, [])).toEqual(['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']);
    expect(missingMaterials(SEEDED, ['SIGNED_CONTRACT', 'PIPIA_REPORT'])).toEqual(['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING']);
    expect(missingMaterials(SEEDED, ['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING', 'LEGAL_REPRESENTATIVE_ID'])).toEqual([]);
    expect(missingMaterials(SEEDED, ['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING'], 'ORGANISATION')).toEqual(['LEGAL_REPRESENTATIVE_ID']);
  });

  it('asks no legal representative of an individual', () => {
    expect(missingMaterials(SEEDED, [], 'INDIVIDUAL')).toEqual(['LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']);
    expect(missingMaterials(SEEDED, ['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING'], 'INDIVIDUAL')).toEqual([]);
  });

  it("asks what another side's data lists, and nothing of a party type it lists nothing for", () => {
    const other: SideMaterials = { ORGANISATION: kinds('SIGNED_CONTRACT', 'DATA_MAP') };
    expect(missingMaterials(other, ['SIGNED_CONTRACT'])).toEqual(['DATA_MAP']);
    expect(missingMaterials(other, [], 'INDIVIDUAL')).toEqual([]);
  });
});

describe('sniffDocumentType', () => {
  it('recognises PDF, PNG and JPEG by their leading bytes', () => {
    expect(sniffDocumentType(Buffer.from('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffDocumentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffDocumentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
  });

  it('refuses anything else, including a truncated signature', () => {
    expect(sniffDocumentType(Buffer.from('<html>'))).toBeNull();
    expect(sniffDocumentType(Buffer.from('%PDF'))).toBeNull();
    expect(sniffDocumentType(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffDocumentType(Buffer.alloc(0))).toBeNull();
  });
});

describe('materialsRefusal (R10)', () => {
  it('refuses a submission naming each missing kind, and passes one with all three', () => {
    expect(materialsRefusal(SEEDED, ['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING', 'LEGAL_REPRESENTATIVE_ID'], 'processor')).toBeNull();
    const refusal = materialsRefusal(SEEDED, ['SIGNED_CONTRACT'], 'recipient');
    expect(refusal).toMatchObject({
      code: ErrorCode.FILING_MATERIALS_MISSING,
      status: 422,
      options: { rule: 'R10', detail: 'upload LEGAL_REPRESENTATIVE_ID, LETTER_OF_UNDERTAKING before submitting the recipient filing' },
    });
    expect(refusal!.options.extensions).toEqual({ missing: ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING'] });
  });
});
