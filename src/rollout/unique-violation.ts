const UNIQUE_VIOLATION = '23505';

/** A PostgreSQL unique violation (from the driver or wrapped by TypeORM): the caller answers 409. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === UNIQUE_VIOLATION || e?.driverError?.code === UNIQUE_VIOLATION;
}
