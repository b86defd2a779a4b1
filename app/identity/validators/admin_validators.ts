import vine from '@vinejs/vine'
import { singleLine, number } from '#core/validation'
import { ROLES } from '#identity/roles'
import { UNIT_KINDS } from '#identity/models/unit'
import { roleSeparation, strongPassword } from '#identity/validators/rules'

const USERNAME = /^[A-Za-z0-9_.-]+$/

const profileFields = {
  fullName: singleLine().minLength(1).maxLength(50),
  email: singleLine().email().maxLength(254).optional(),
  phone: singleLine()
    .regex(/^[0-9+\- ]{5,30}$/)
    .optional(),
  unitId: number().exists({ table: 'units', column: 'id' }).optional(),
  roles: vine
    .array(vine.enum(ROLES))
    .parse((value) => (typeof value === 'string' ? [value] : (value ?? [])))
    .minLength(1)
    .distinct()
    .use(roleSeparation()),
}

export const createUserValidator = vine.create({
  username: singleLine()
    .minLength(3)
    .maxLength(50)
    .regex(USERNAME)
    .toLowerCase()
    .unique({ table: 'users', column: 'username' }),
  ...profileFields,
  password: vine
    .string()
    .use(strongPassword())
    .confirmed({ confirmationField: 'passwordConfirmation' }),
})

export const updateUserValidator = vine.create(profileFields)

export const resetPasswordValidator = vine.create({
  password: vine
    .string()
    .use(strongPassword())
    .confirmed({ confirmationField: 'passwordConfirmation' }),
})

export const unitValidator = vine.create({
  code: singleLine()
    .minLength(2)
    .maxLength(32)
    .regex(/^[A-Za-z0-9_-]+$/)
    .unique({
      table: 'units',
      column: 'code',
      filter: (db, _value, field) => {
        if (field.meta.unitId) db.whereNot('id', field.meta.unitId)
      },
    }),
  name: singleLine()
    .minLength(2)
    .maxLength(100)
    .unique({
      table: 'units',
      column: 'name',
      filter: (db, _value, field) => {
        if (field.meta.unitId) db.whereNot('id', field.meta.unitId)
      },
    }),
  kind: vine.enum(UNIT_KINDS),
})

export const listQueryValidator = vine.create({
  q: singleLine().maxLength(100).optional(),
  page: number().min(1).max(100000).optional(),
  role: vine.enum(ROLES).optional(),
  unitId: number().optional(),
  status: vine.enum(['active', 'disabled', 'locked']).optional(),
})

export const mfaResetRequestValidator = vine.create({
  reason: singleLine().minLength(2).maxLength(200),
})
