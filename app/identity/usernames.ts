/**
 * Renames that make existing usernames lower-case and case-insensitively
 * unique: names already in lower case keep their spelling, the others are
 * lower-cased, and one that would collide keeps its id in the name
 * (`Admin` with id 17 beside `admin` becomes `admin_17`). Max length 50.
 */
export function lowerCaseRenames(rows: Array<{ id: number; username: string }>) {
  const seen = new Set(
    rows.filter((r) => r.username === r.username.toLowerCase()).map((r) => r.username)
  )
  const renames: Array<{ id: number; from: string; to: string }> = []
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const lower = row.username.toLowerCase()
    if (lower === row.username) continue
    let target = lower
    for (let n = 0; seen.has(target); n++) {
      const suffix = `_${row.id}${n ? `_${n}` : ''}`
      target = lower.slice(0, 50 - suffix.length) + suffix
    }
    seen.add(target)
    renames.push({ id: row.id, from: row.username, to: target })
  }
  return renames
}
