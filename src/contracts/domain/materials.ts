// Filing materials (docs/rules.md#r10), as data per regime, side and party type
// (rollout_filing_materials, docs/rules.md#r16), each with its source and whether
// it is confirmed. Seeded: R10 [C for Hong Kong: OGCIO fact sheet, Dec 2023; A for
// the Mainland and Macao, assumed the same]: a copy of the legal representative's
// identity document, the signed letter of undertaking (承諾書) and the signed
// contract; an individual (R1) has no legal representative, so the letter and the
// contract only [A]. The PIPIA report is optional (R6: kept, not necessarily filed).

import type { PartyType } from '../../organisations/gba';
import { DomainError, ErrorCode } from '../../common/errors';

/** R10: the materials of one side of a regime, by party type, in order (rollout_filing_materials, docs/rules.md#r16). */
export type SideMaterials = Readonly<Record<string, readonly { kind: string }[]>>;

/** R10: the materials a party of this type files on its side, in the order the data lists them. */
export function requiredMaterials(materials: SideMaterials, partyType: PartyType): readonly string[] {
  return (materials[partyType] ?? []).map((m) => m.kind);
}

/** The kinds a party of this type must file that are not among `uploaded`, in the order the data lists them. */
export function missingMaterials(materials: SideMaterials, uploaded: Iterable<string>, partyType: PartyType = 'ORGANISATION'): string[] {
  const have = new Set(uploaded);
  return requiredMaterials(materials, partyType).filter((kind) => !have.has(kind));
}

/**
 * R10: a party submits its filing only with every kind required of a party of its type on its side uploaded
 * (`uploaded`, its own for the filing's version or later).
 */
export function materialsRefusal(
  materials: SideMaterials,
  uploaded: Iterable<string>,
  party: string,
  partyType: PartyType = 'ORGANISATION',
): DomainError | null {
  const missing = missingMaterials(materials, uploaded, partyType);
  if (!missing.length) return null;
  return new DomainError(ErrorCode.FILING_MATERIALS_MISSING, 'Filing materials are missing', {
    rule: 'R10',
    detail: `upload ${missing.join(', ')} before submitting the ${party} filing`,
    errors: missing.map((kind) => ({ field: 'documents', rule: 'R10', message: `${kind} has not been uploaded` })),
    extensions: { missing },
  });
}

export const ACCEPTED_DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type DocumentContentType = (typeof ACCEPTED_DOCUMENT_TYPES)[number];

/**
 * The type of an uploaded file from its leading bytes, not from what the
 * client claims: PDF (`%PDF-`, ISO 32000-2 §7.5.2), PNG (8-byte signature,
 * RFC 2083 §3.1), JPEG (SOI marker FF D8 followed by a marker FF, ITU-T T.81).
 * Null for anything else.
 */
export function sniffDocumentType(bytes: Buffer): DocumentContentType | null {
  if (bytes.length >= 5 && bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}
