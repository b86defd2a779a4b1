import vine from '@vinejs/vine'
import { number, singleLine } from '#core/validation'
import { API_ABILITIES } from '#core/api_tokens/abilities'

/** A new token: a name, at least one ability, an optional lifetime in days. */
export const apiTokenValidator = vine.create({
  name: singleLine().minLength(2).maxLength(100),
  abilities: vine
    .array(vine.enum(API_ABILITIES))
    .parse((value) => (typeof value === 'string' ? [value] : value))
    .minLength(1)
    .distinct(),
  expiresInDays: number().withoutDecimals().min(1).max(3650).optional(),
})
