import vine from '@vinejs/vine'
import { singleLine } from '#core/validation'
import { PASSWORD_MAX_LENGTH } from '#identity/password_policy'
import { strongPassword } from '#identity/validators/rules'

export const loginValidator = vine.create({
  username: singleLine().minLength(1).maxLength(50),
  password: vine.string().minLength(1).maxLength(PASSWORD_MAX_LENGTH),
})

export const changePasswordValidator = vine.create({
  currentPassword: vine.string().minLength(1).maxLength(PASSWORD_MAX_LENGTH),
  newPassword: vine
    .string()
    .use(strongPassword())
    .confirmed({ confirmationField: 'newPasswordConfirmation' }),
})

/** A 6-digit TOTP code or a recovery code (xxxxx-xxxxx). */
export const mfaCodeValidator = vine.create({
  code: singleLine()
    .minLength(6)
    .maxLength(20)
    .regex(/^[0-9A-Za-z -]+$/),
})
