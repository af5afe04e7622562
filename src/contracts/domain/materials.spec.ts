import { ErrorCode } from '../../common/errors';
import { materialsRefusal, missingMaterials, sniffDocumentType } from './materials';

describe('missingMaterials (R10)', () => {
  it('lists every required kind not uploaded, in R10 order', () => {
    expect(missingMaterials([])).toEqual(['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']);
    expect(missingMaterials(['SIGNED_CONTRACT', 'PIPIA_REPORT'])).toEqual(['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING']);
    expect(missingMaterials(['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING', 'LEGAL_REPRESENTATIVE_ID'])).toEqual([]);
    expect(missingMaterials(['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING'], 'ORGANISATION')).toEqual(['LEGAL_REPRESENTATIVE_ID']);
  });

  it('asks no legal representative of an individual', () => {
    expect(missingMaterials([], 'INDIVIDUAL')).toEqual(['LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']);
    expect(missingMaterials(['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING'], 'INDIVIDUAL')).toEqual([]);
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
    expect(materialsRefusal(['SIGNED_CONTRACT', 'LETTER_OF_UNDERTAKING', 'LEGAL_REPRESENTATIVE_ID'], 'processor')).toBeNull();
    const refusal = materialsRefusal(['SIGNED_CONTRACT'], 'recipient');
    expect(refusal).toMatchObject({
      code: ErrorCode.FILING_MATERIALS_MISSING,
      status: 422,
      options: { rule: 'R10', detail: 'upload LEGAL_REPRESENTATIVE_ID, LETTER_OF_UNDERTAKING before submitting the recipient filing' },
    });
    expect(refusal!.options.extensions).toEqual({ missing: ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING'] });
  });
});
