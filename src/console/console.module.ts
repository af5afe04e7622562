import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** Serves the regulators' web console at /console (DESIGN.md §2 `console`). */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
