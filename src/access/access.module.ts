import { Module } from '@nestjs/common';
import { AccessService } from './access.service';

/** The one access policy (docs/architecture.md#access). Imports no feature module; every feature module may import it. */
@Module({ providers: [AccessService], exports: [AccessService] })
export class AccessModule {}
