import { PipeTransform } from '@nestjs/common';
import { notFound } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID cannot name anything: answer 404, as for an unknown id. */
export class UuidParam implements PipeTransform<string, string> {
  constructor(private readonly what = 'The resource') {}
  transform(value: string): string {
    if (typeof value !== 'string' || !UUID.test(value)) throw notFound(this.what);
    return value.toLowerCase();
  }
}

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
