/**
 * JSON stored as text (identical on SQLite and MySQL/MariaDB). Use as
 * `@column(jsonText<string[]>([]))`.
 */
export function jsonText<T>(fallback: T) {
  return {
    prepare: (value: T) => JSON.stringify(value ?? fallback),
    consume: (value: unknown): T => {
      if (typeof value !== 'string' || value === '') return fallback
      try {
        return JSON.parse(value) as T
      } catch {
        return fallback
      }
    },
  }
}

/** Integers that MySQL returns as strings (BIGINT, COUNT) become numbers; null stays null. */
export const integer = {
  consume: (value: unknown) => (value === null || value === undefined ? null : Number(value)),
}

/** Booleans stored as 0/1. */
export const bool = { consume: (value: unknown) => Boolean(value) }
