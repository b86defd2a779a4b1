import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'

/** Named progress markers of the monitoring jobs (e.g. how far rollups have got). */
export async function readMark(client: QueryClientContract, name: string): Promise<number | null> {
  const row = await client.from('monitoring_marks').where('name', name).first()
  return row && row.value !== null ? Number(row.value) : null
}

export async function writeMark(client: QueryClientContract, name: string, value: number | null) {
  await client
    .knexQuery()
    .table('monitoring_marks')
    .insert({ name, value, updated_at: DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss') })
    .onConflict('name')
    .merge(['value', 'updated_at'])
}

export const ROLLUP_DONE_MARK = 'rollup.done_ts'
export const ROLLUP_DIRTY_MARK = 'rollup.dirty_from_ts'

/** Asks the next rollup run to recompute from `ts` (late samples arrived). */
export async function markRollupDirty(client: QueryClientContract, ts: number) {
  const current = await readMark(client, ROLLUP_DIRTY_MARK)
  if (current === null || ts < current) await writeMark(client, ROLLUP_DIRTY_MARK, ts)
}
