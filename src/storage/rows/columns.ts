/** Spreads `{ [key]: value }` only when the column was not NULL, so records carry no null fields. */
export const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** A nullable column as an optional field value. */
export const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

/**
 * An INTEGER / BIGINT id column: SQLite returns it as a number, PostgreSQL (node-postgres, BIGINT)
 * as a string. Mappers take either and hand records a number (`Number(id)`).
 */
export type RowId = number | string;
