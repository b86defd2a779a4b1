import { Bouncer } from '@adonisjs/bouncer'
import type User from '#identity/models/user'

/** Any logged-in, active user may change their own password. */
export const changeOwnPassword = Bouncer.ability((user: User) => user.isActive)
