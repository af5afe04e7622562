import { Module } from '@nestjs/common';
import { CalendarService } from './calendar.service';

/** Working-day calendars and deadline counting (DESIGN.md R9). Imports no other feature module. */
@Module({
  providers: [CalendarService],
  exports: [CalendarService],
})
export class CalendarModule {}
