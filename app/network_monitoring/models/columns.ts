/** Numbers MySQL may return as strings (BIGINT, DECIMAL aggregates); null stays null. */
export const numberColumn = {
  consume: (value: unknown) => (value === null || value === undefined ? null : Number(value)),
}

/** Booleans stored as 0/1 (TINYINT on MySQL, INTEGER on SQLite). */
export const booleanColumn = { consume: (value: unknown) => Boolean(value) }
