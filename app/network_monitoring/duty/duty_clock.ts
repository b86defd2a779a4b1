/**
 * The clock of the duty side (who is on duty now, escalation deadlines). Tests and the
 * done-when browser test move it by hand instead of sleeping.
 */
export const dutyClock = {
  offsetMs: 0,
  fixed: null as Date | null,
  now(): Date {
    return this.fixed ? new Date(this.fixed.getTime()) : new Date(Date.now() + this.offsetMs)
  },
  /** Stops the clock at `at` (tests). */
  set(at: Date | null) {
    this.fixed = at
  },
  /** Moves the clock forward (tests). */
  advance(ms: number) {
    if (this.fixed) this.fixed = new Date(this.fixed.getTime() + ms)
    else this.offsetMs += ms
  },
  reset() {
    this.fixed = null
    this.offsetMs = 0
  },
}
