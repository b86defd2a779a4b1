import vine from '@vinejs/vine'
import { multiLine, number, singleLine } from '#core/validation'
import { SHIFT_KINDS } from '#network_monitoring/duty/duty_shift'

const localDateTime = () => singleLine().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)

export const shiftValidator = vine.create({
  userId: number().withoutDecimals().min(1),
  kind: vine.enum(SHIFT_KINDS),
  startsAt: localDateTime(),
  endsAt: localDateTime(),
  phone: singleLine()
    .maxLength(40)
    .regex(/^[0-9+\-() ]*$/)
    .optional(),
  note: singleLine().maxLength(200).optional(),
})

export const swapValidator = vine.create({
  toUserId: number().withoutDecimals().min(1),
  reason: multiLine().minLength(2).maxLength(500),
})

export const copyValidator = vine.create({
  week: singleLine().regex(/^\d{4}-\d{2}-\d{2}$/),
})

export const periodValidator = vine.create({
  name: singleLine().minLength(2).maxLength(100),
  startsAt: localDateTime(),
  endsAt: localDateTime(),
})

const grade = () => vine.enum(['1', '2', '3', '4'])
const minutes = () => number().withoutDecimals().min(1).max(1440)

export const settingsValidator = vine.create({
  mailGrade: grade(),
  sensitiveMailGrade: grade(),
  escalate1: minutes(),
  escalate2: minutes(),
  escalate3: minutes(),
  escalate4: minutes(),
  sensitive1: minutes(),
  sensitive2: minutes(),
  sensitive3: minutes(),
  sensitive4: minutes(),
  stormThreshold: number().withoutDecimals().min(1).max(1000),
  stormWindowMinutes: minutes(),
  // an intranet mailbox such as noc@localhost has no top-level domain
  fallbackEmail: singleLine().email({ require_tld: false }).maxLength(320),
  leaderUserId: number().withoutDecimals().min(1).optional(),
})
