import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators';
import { GBA_CITIES, gbaReference, GbaReference, IDENTIFIER_TYPES, JURISDICTIONS, PARTY_TYPES, SECTORS } from './gba';

class LabelsView {
  @ApiProperty({ example: 'Shenzhen' }) en: string;
  @ApiProperty({ name: 'zh-Hant', description: 'Traditional Chinese (繁體中文), Hong Kong usage', example: '深圳' }) 'zh-Hant': string;
  @ApiProperty({ name: 'zh-Hans', description: 'Simplified Chinese (简体中文), Mainland usage', example: '深圳' }) 'zh-Hans': string;
}

class JurisdictionEntryView {
  @ApiProperty({ enum: JURISDICTIONS }) code: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

class CityEntryView {
  @ApiProperty({ enum: GBA_CITIES }) code: string;
  @ApiProperty({ enum: JURISDICTIONS }) jurisdiction: string;
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
  @ApiProperty({ enum: IDENTIFIER_TYPES }) code: string;
  @ApiProperty({ enum: PARTY_TYPES, description: 'Who is identified by it (R17)' }) partyType: string;
  @ApiProperty({ type: LabelsView }) labels: LabelsView;
}

export class ReferenceView {
  @ApiProperty({ type: [JurisdictionEntryView] }) jurisdictions: JurisdictionEntryView[];
  @ApiProperty({ type: [CityEntryView], description: 'The nine Mainland GBA cities and Hong Kong (R1); anything else is outside the GBA' })
  cities: CityEntryView[];
  @ApiProperty({ type: [SectorEntryView] }) sectors: SectorEntryView[];
  @ApiProperty({ type: [PartyTypeEntryView], description: 'R1: organisations and individuals' }) partyTypes: PartyTypeEntryView[];
  @ApiProperty({ type: [IdentifierTypeEntryView], description: "R17: organisations' identifiers and individuals' identity documents" })
  identifierTypes: IdentifierTypeEntryView[];
}

/** The code lists with labels in English, 繁體中文 and 简体中文 (docs/api.md#code-lists). */
@ApiTags('reference')
@Controller('reference')
export class ReferenceController {
  @Get()
  @Public()
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOkResponse({ type: ReferenceView })
  reference(): GbaReference {
    return gbaReference();
  }
}
