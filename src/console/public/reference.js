// What the registry serves as data (GET /reference, public; docs/api.md#code-lists): the code lists with their labels
// in English, 繁體中文 and 简体中文, the sides with their direction codes, and the regimes with each side's filing
// materials (R10). Read once before the first page is drawn, so the console keeps no copy of any of them.
import * as api from './api.js';
import { useCodeLabels } from './i18n.js';

let reference = null;
let reading = null;

/** Reads GET /reference once (again after a failure) and hands its labels to `code()`. */
export function loadReference() {
  reading ??= api.getPublic('/reference').then(
    (body) => {
      reference = body;
      useCodeLabels({ sector: body.sectors, jurisdiction: body.jurisdictions, category: body.personalInformationCategories, flag: body.complianceFlags });
      return body;
    },
    (error) => {
      reading = null;
      throw error;
    },
  );
  return reading;
}

/** R2: every direction value, `<from>_TO_<to>` of the direction codes of the two sides of each regime, in the order of the sides. */
function directions() {
  const order = reference.jurisdictions.map((j) => j.code);
  const codeOf = new Map(reference.jurisdictions.map((j) => [j.code, j.directionCode]));
  const values = reference.regimes.flatMap((regime) => {
    const [a, b] = regime.sides.map((s) => s.jurisdiction).sort((x, y) => order.indexOf(x) - order.indexOf(y));
    return [`${codeOf.get(a)}_TO_${codeOf.get(b)}`, `${codeOf.get(b)}_TO_${codeOf.get(a)}`];
  });
  return [...new Set(values)];
}

const LISTS = {
  sector: () => reference.sectors.map((s) => s.code),
  category: () => reference.personalInformationCategories.map((c) => c.code),
  flag: () => reference.complianceFlags.map((f) => f.code),
  direction: directions,
};

/** The codes of a list the registry serves (sector, category, flag, direction), in its order; null for any other kind. */
export function servedCodes(kind) {
  return reference && LISTS[kind] ? LISTS[kind]() : null;
}

/** R2: the sides of a direction value, [from, to], or null for one no side's direction code makes. */
export function sidesOfDirection(direction) {
  const [from, to] = String(direction ?? '').split('_TO_');
  const side = (directionCode) => reference?.jurisdictions.find((j) => j.directionCode === directionCode)?.code;
  return side(from) && side(to) ? [side(from), side(to)] : null;
}

/** R10: the materials a party of `partyType` on `jurisdiction`'s side of `regime` files, in the order the data lists them. */
export function requiredMaterials(regime, jurisdiction, partyType) {
  const side = reference?.regimes.find((r) => r.code === regime)?.sides.find((s) => s.jurisdiction === jurisdiction);
  return (side?.materials?.[partyType ?? 'ORGANISATION'] ?? []).map((m) => m.kind);
}
