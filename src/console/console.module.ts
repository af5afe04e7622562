import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** Serves the regulators' web console at /console (docs/architecture.md#modules, `console`). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
