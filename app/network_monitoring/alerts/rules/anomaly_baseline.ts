/**
 * The traffic baseline of one interface direction: a seasonal day profile of
 * 24 hourly buckets (Asia/Shanghai hours), each an EWMA of the rate and an
 * EWMA of its absolute deviation (the "EWMA with deviation" of Holt-Winters
 * style detectors, one season = one day). A sample is anomalous when it is
 * far above its hour's mean in deviations AND a clear multiple of it AND
 * above an absolute floor, so the normal daily curve and its short waves
 * never fire while a flood does. Stored flat: [mean, deviation, samples] × 24.
 */
export const BUCKETS = 24
const SHANGHAI_OFFSET_S = 8 * 3600

export interface BaselineSettings {
  /** Deviations above the hour's mean (k). */
  deviations: number
  /** …and at least this multiple of the mean. */
  minRatio: number
  /** …and at least this many bit/s above it. */
  minExcessBps: number
  /** Samples an hour bucket learns before it may judge. */
  learningSamples: number
  /** EWMA weight of a new sample once learnt (0–1). */
  alpha: number
}

export interface Verdict {
  /** The bucket had learnt enough to judge. */
  ready: boolean
  anomalous: boolean
  expected: number
  threshold: number
}

/** The Asia/Shanghai hour (0–23) of an instant. */
export function hourOf(ms: number) {
  const seconds = Math.floor(ms / 1000) + SHANGHAI_OFFSET_S
  return Math.floor((((seconds % 86400) + 86400) % 86400) / 3600)
}

export function emptyProfile(): number[] {
  return new Array(BUCKETS * 3).fill(0)
}

/** Judges `value` against its hour bucket, then learns from it (a flood is learnt clamped). */
export function observe(
  profile: number[],
  hour: number,
  value: number,
  settings: BaselineSettings
): Verdict {
  if (profile.length !== BUCKETS * 3) profile.splice(0, profile.length, ...emptyProfile())
  const at = hour * 3
  const mean = profile[at]
  const deviation = profile[at + 1]
  const samples = profile[at + 2]
  const ready = samples >= settings.learningSamples
  // A deviation floor of 5 % of the mean: a perfectly flat line must not make every wiggle "far".
  const spread = Math.max(deviation, mean * 0.05)
  const threshold = Math.max(
    mean + settings.deviations * spread,
    mean * settings.minRatio,
    mean + settings.minExcessBps
  )
  const anomalous = ready && value > threshold
  const learnt = anomalous ? threshold : value
  const weight = samples < 10 ? 1 / (samples + 1) : settings.alpha
  const nextMean = mean + weight * (learnt - mean)
  profile[at] = Math.round(nextMean)
  profile[at + 1] =
    samples === 0 ? 0 : Math.round(deviation + weight * (Math.abs(learnt - mean) - deviation))
  profile[at + 2] = Math.min(samples + 1, 1_000_000)
  return { ready, anomalous, expected: mean, threshold }
}
