import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { PERSONAL_INFORMATION_CATEGORIES, PERSONAL_INFORMATION_CATEGORY_LABELS } from '../contracts/domain/categories';
import { GBA_CITIES, gbaReference, IDENTIFIER_TYPES, JURISDICTIONS, PARTY_TYPES, SECTORS } from '../organisations/gba';
import { OrganisationsService } from '../organisations/organisations.service';
import { RolloutService } from '../rollout/rollout.service';
import { RefilingTriggerView, RuleSettingView } from '../rules/rules.dto';
import { RulesService } from '../rules/rules.service';
import { COMPLIANCE_FLAGS } from '../transfers/domain/compliance-flags';
import { COMPLIANCE_FLAG_LABELS } from '../transfers/domain/flag-labels';

class LabelsView {
  @ApiProperty({ example: 'Shenzhen' }) en: string;
  @ApiProperty({ name: 'zh-Hant', description: 'Traditional Chinese (繁體中文), Hong Kong usage', example: '深圳' }) 'zh-Hant': string;
  @ApiProperty({ name: 'zh-Hans', description: 'Simplified Chinese (简体中文), Mainland usage', example: '深圳' }) 'zh-Hans': string;
}

class JurisdictionEntryView {
  @ApiProperty({ example: 'MAINLAND', description: `seeded: ${JURISDICTIONS.join(', ')}; others are data` }) code: string;
  @ApiProperty({ example: 'MAINLAND', description: 'R2: its code in direction values (MAINLAND_TO_HK)' }) directionCode: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class CityEntryView {
  @ApiProperty({ example: 'SHENZHEN', description: `seeded: ${GBA_CITIES.join(', ')}; others are data` }) code: string;
  @ApiProperty({ example: 'MAINLAND' }) jurisdiction: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class SectorEntryView {
  @ApiProperty({ enum: SECTORS }) code: string;
  @ApiProperty({ description: 'Open from the first phase (2023-12-13), R15' }) firstPhase: boolean;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class PartyTypeEntryView {
  @ApiProperty({ enum: PARTY_TYPES }) code: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class IdentifierTypeEntryView {
  @ApiProperty({ example: 'USCC', description: `seeded: ${IDENTIFIER_TYPES.join(', ')}; others are data` }) code: string;
  @ApiProperty({ enum: PARTY_TYPES, description: 'Who is identified by it (R17)' }) partyType: string;
  @ApiProperty({ type: String, nullable: true, example: 'MAINLAND', description: 'The side whose parties use it; null: any side' }) jurisdiction: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A regular expression the whole identifier must match; null: checked by the registry’s code (check characters)',
  })
  format: string | null;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class CategoryEntryView {
  @ApiProperty({ enum: PERSONAL_INFORMATION_CATEGORIES }) code: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class ComplianceFlagEntryView {
  @ApiProperty({ enum: COMPLIANCE_FLAGS }) code: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class AuthorityNameView {
  @ApiProperty({ example: '2024-07-25', description: 'The first date the name applies (1900-01-01: since always)' }) validFrom: string;
  @ApiProperty({ example: 'Digital Policy Office (DPO)' }) en: string;
  @ApiProperty({ name: 'zh-Hant', example: '數字政策辦公室' }) 'zh-Hant': string;
  @ApiProperty({ name: 'zh-Hans', example: '数字政策办公室' }) 'zh-Hans': string;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
}

class AuthorityEntryView {
  @ApiProperty({ example: 'HK_DPO' }) code: string;
  @ApiProperty({ example: 'HONG_KONG', description: 'The side it supervises' }) jurisdiction: string;
  @ApiProperty({ description: 'Audits only; receives no filings (the PCPD)' }) readOnly: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'HKDPO', description: 'R11: the prefix of the filing numbers it issues' }) filingNumberPrefix:
    string | null;
  @ApiProperty({ type: [AuthorityNameView], description: 'R8: its names over time, oldest first' }) names: AuthorityNameView[];
  @ApiProperty({ type: String, nullable: true }) source: string | null;
}

class MaterialView {
  @ApiProperty({ example: 'LETTER_OF_UNDERTAKING' }) kind: string;
  @ApiProperty({ description: 'Listed by a published source (R10); false: assumed' }) confirmed: boolean;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
}

class MaterialsView {
  @ApiProperty({ type: [MaterialView] }) ORGANISATION: MaterialView[];
  @ApiProperty({ type: [MaterialView] }) INDIVIDUAL: MaterialView[];
}

class RegimeSideView {
  @ApiProperty({ example: 'HONG_KONG' }) jurisdiction: string;
  @ApiProperty({ type: [String], example: ['HONG_KONG'], description: 'R1: its cities' }) cities: string[];
  @ApiProperty({ type: [String], example: ['HK_BRN', 'HKID', 'PRC_RESIDENT_ID', 'PASSPORT'], description: "R17: its parties' identifier schemes" })
  identifierTypes: string[];
  @ApiProperty({ example: 'HK_DPO', description: 'R8: where its parties file' }) filingAuthority: string;
  @ApiProperty({ example: 10, description: 'R8: working days from the effective date to the filing deadline' }) filingWorkingDays: number;
  @ApiProperty({ type: Number, nullable: true, description: "R11: working days for the authority's review; null when none is published" })
  reviewWorkingDays: number | null;
  @ApiProperty({ example: 10, description: 'R11: working days from a return to the resubmission deadline' }) resubmissionWorkingDays: number;
  @ApiProperty({ type: MaterialsView, description: 'R10: the filing materials by party type' }) materials: MaterialsView;
  @ApiProperty({ type: String, nullable: true }) source: string | null;
}

class RegimeEntryView {
  @ApiProperty({ example: 'GBA_MAINLAND_HK' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) nameZh: string | null;
  @ApiProperty({ example: '2023-12-13' }) opensOn: string;
  @ApiProperty({ type: [RegimeSideView], description: 'R16: the two sides it spans, with their rules' }) sides: RegimeSideView[];
}

export class ReferenceView {
  @ApiProperty({ type: [RegimeEntryView], description: 'R16: the regimes, as data' }) regimes: RegimeEntryView[];
  @ApiProperty({ type: [AuthorityEntryView], description: 'R8: the authorities, as data' }) authorities: AuthorityEntryView[];
  @ApiProperty({ type: [JurisdictionEntryView] }) jurisdictions: JurisdictionEntryView[];
  @ApiProperty({ type: [CityEntryView], description: 'The nine Mainland GBA cities and Hong Kong (R1); anything else is outside the GBA' })
  cities: CityEntryView[];
  @ApiProperty({ type: [SectorEntryView] }) sectors: SectorEntryView[];
  @ApiProperty({ type: [PartyTypeEntryView], description: 'R1: organisations and individuals' }) partyTypes: PartyTypeEntryView[];
  @ApiProperty({ type: [IdentifierTypeEntryView], description: "R17: organisations' identifiers and individuals' identity documents" })
  identifierTypes: IdentifierTypeEntryView[];
  @ApiProperty({ type: [CategoryEntryView], description: "The annex's personal-information categories (after GB/T 35273-2020 annex A)" })
  personalInformationCategories: CategoryEntryView[];
  @ApiProperty({ type: [ComplianceFlagEntryView], description: 'The flags a transfer record may carry (docs/rules.md#compliance-flags)' })
  complianceFlags: ComplianceFlagEntryView[];
  @ApiProperty({
    type: [RuleSettingView],
    description:
      'The settings of rules that are data (docs/rules.md#rules-as-data): R5 storage location, R6 PIPIA, R15 whose sector; with source and confidence',
  })
  ruleSettings: RuleSettingView[];
  @ApiProperty({ type: [RefilingTriggerView], description: 'R12: the changes of an amendment that require re-filing, with source and confidence' })
  refilingTriggers: RefilingTriggerView[];
}

/** The code lists of the annex and of the transfer log, with their labels. */
function annexAndLogCodes(): Pick<ReferenceView, 'personalInformationCategories' | 'complianceFlags'> {
  return {
    personalInformationCategories: PERSONAL_INFORMATION_CATEGORIES.map((code) => ({ code, labels: { ...PERSONAL_INFORMATION_CATEGORY_LABELS[code] } })),
    complianceFlags: COMPLIANCE_FLAGS.map((code) => ({ code, labels: { ...COMPLIANCE_FLAG_LABELS[code] } })),
  };
}

/**
 * The regimes and authorities (data), the code lists with labels in English, 繁體中文 and 简体中文 (docs/api.md#code-lists),
 * and the rules that are data (docs/rules.md#rules-as-data).
 */
@ApiTags('reference')
@Controller('reference')
export class ReferenceController {
  constructor(
    private readonly rollout: RolloutService,
    private readonly rules: RulesService,
    private readonly organisations: OrganisationsService,
  ) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOkResponse({ type: ReferenceView })
  async reference(): Promise<ReferenceView> {
    const geography = await this.organisations.refreshGeography();
    const reference = gbaReference({
      jurisdictions: geography.jurisdictions.values(),
      cities: geography.cities.values(),
      schemes: geography.schemes.values(),
    });
    const [regimes, rules] = await Promise.all([this.rollout.regimeReference(geography), this.rules.dataRules()]);
    return { ...regimes, ...reference, ...annexAndLogCodes(), ...rules };
  }
}
