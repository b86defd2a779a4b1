import db from '@adonisjs/lucid/services/db'

/** Rows of a time series, binned: [bucket start (epoch s), avg in bit/s, avg out bit/s]. */
export type TrafficPoint = [number, number | null, number | null]

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value))

/** Polls and successes of a device, maintenance excluded; null when there were none. */
export interface Availability {
  polls: number
  counted: number
  ok: number
  ratio: number | null
  /** The oldest poll (or rollup bucket) counted, epoch seconds: the period really covered. */
  firstTs: number | null
}

function availability(row: Record<string, unknown> | undefined): Availability {
  const polls = Number(row?.polls ?? 0)
  const counted = Number(row?.counted ?? 0)
  const ok = Number(row?.ok ?? 0)
  const firstTs = num(row?.first_ts)
  return { polls, counted, ok, ratio: counted > 0 ? ok / counted : null, firstTs }
}

/**
 * Read side of the time series. Every query here is a range scan of one
 * primary-key prefix (series id, then time).
 */
export const historyQueries = {
  /** Raw samples of one interface since `fromTs`, averaged into bins of `binSeconds`. */
  async interfaceTraffic(interfaceId: number, fromTs: number, binSeconds: number) {
    const rows = await db
      .from('interface_samples')
      .where('interface_id', interfaceId)
      .where('ts', '>=', fromTs)
      .select(db.raw('ts - (ts % ?) as bucket', [binSeconds]))
      .avg('in_bps as in_bps')
      .avg('out_bps as out_bps')
      .groupByRaw('ts - (ts % ?)', [binSeconds])
      .orderBy('bucket')
    return rows.map((row): TrafficPoint => [Number(row.bucket), num(row.in_bps), num(row.out_bps)])
  },

  /** Rollups of one interface since `fromTs` (avg per bucket). */
  async interfaceRollups(interfaceId: number, resolution: number, fromTs: number) {
    const rows = await db
      .from('interface_rollups')
      .where('interface_id', interfaceId)
      .where('resolution', resolution)
      .where('bucket_ts', '>=', fromTs)
      .select('bucket_ts', 'avg_in_bps', 'avg_out_bps', 'max_in_bps', 'max_out_bps')
      .orderBy('bucket_ts')
    return rows.map((row): TrafficPoint => [
      Number(row.bucket_ts),
      num(row.avg_in_bps),
      num(row.avg_out_bps),
    ])
  },

  /** Availability of a device from its raw polls since `fromTs`. */
  async deviceAvailabilityRaw(deviceId: number, fromTs: number): Promise<Availability> {
    const row = await db
      .from('device_polls')
      .where('device_id', deviceId)
      .where('ts', '>=', fromTs)
      .select(
        db.raw('count(*) as polls'),
        db.raw('sum(case when in_maintenance = 0 then 1 else 0 end) as counted'),
        db.raw('sum(case when in_maintenance = 0 and ok = 1 then 1 else 0 end) as ok'),
        db.raw('min(ts) as first_ts')
      )
      .first()
    return availability(row)
  },

  /** Availability of a device from its rollups of one resolution since `fromTs`. */
  async deviceAvailabilityRollup(
    deviceId: number,
    resolution: number,
    fromTs: number
  ): Promise<Availability> {
    const row = await db
      .from('device_rollups')
      .where('device_id', deviceId)
      .where('resolution', resolution)
      .where('bucket_ts', '>=', fromTs)
      .sum('polls as polls')
      .sum('counted_polls as counted')
      .sum('counted_ok_polls as ok')
      .min('bucket_ts as first_ts')
      .first()
    return availability(row)
  },

  /** The oldest raw sample of an interface (epoch s), or null. */
  async firstSampleTs(interfaceId: number): Promise<number | null> {
    const row = await db
      .from('interface_samples')
      .where('interface_id', interfaceId)
      .min('ts as ts')
      .first()
    return num(row?.ts)
  },

  async recentPolls(deviceId: number, limit = 15) {
    const rows = await db
      .from('device_polls')
      .where('device_id', deviceId)
      .orderBy('ts', 'desc')
      .limit(limit)
    return rows.map((row) => ({
      ts: Number(row.ts),
      durationMs: Number(row.duration_ms),
      ok: Boolean(row.ok),
      inMaintenance: Boolean(row.in_maintenance),
      errorCode: row.error_code as string | null,
    }))
  },
}
