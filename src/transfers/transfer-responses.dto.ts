import { ApiProperty } from '@nestjs/swagger';
import { COMPLIANCE_FLAGS } from './domain/compliance-flags';

/** The answer of POST /transfers, declared for openapi.json (and so for the typed client in client/). */
export class TransferResultView {
  @ApiProperty({ description: 'The record’s index in the transfer log (gapless), in request order' })
  leafIndex: number;

  @ApiProperty({ enum: COMPLIANCE_FLAGS, isArray: true, description: 'Compliance flags (docs/rules.md#compliance-flags); empty when none' })
  flags: string[];
}

export class CreateTransfersView {
  @ApiProperty({ type: [TransferResultView] })
  records: TransferResultView[];
}
