import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import User from '#identity/models/user'
import Unit from '#identity/models/unit'
import { ROLES } from '#identity/roles'
import AdminPolicy from '#identity/policies/admin_policy'
import userAdmin from '#identity/services/user_admin_service'
import mfaReset from '#identity/services/mfa_reset_service'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, fieldError, sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { formatDateTime } from '#start/view'
import {
  createUserValidator,
  listQueryValidator,
  resetPasswordValidator,
  updateUserValidator,
} from '#identity/validators/admin_validators'

/** User administration (系统管理员). */
export default class UsersController {
  async index(ctx: HttpContext) {
    const { request, view, bouncer, response, i18n, auth } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, listQueryValidator)
    const query = User.query().preload('unit').preload('roleRows').orderBy('id')
    if (filters.q) {
      const like = `%${filters.q}%`
      query.where((q) => q.where('username', 'like', like).orWhere('full_name', 'like', like))
    }
    if (filters.role) query.whereHas('roleRows', (q) => q.where('role', filters.role!))
    if (filters.unitId) query.where('unit_id', filters.unitId)
    if (filters.status === 'active') query.where('is_active', true)
    if (filters.status === 'disabled') query.where('is_active', false)
    if (filters.status === 'locked')
      query.where('locked_until', '>', DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss'))

    if (request.input('format') === 'csv') {
      const users = await query
      return sendCsv(
        response,
        'users.csv',
        ['id', 'username', 'fullName', 'unit', 'roles', 'active', 'lastLogin'].map((k) =>
          i18n.t(`messages.users.fields.${k}`)
        ),
        users.map((u) => [
          u.id,
          u.username,
          u.fullName,
          u.unit?.name ?? '',
          u.roles.map((r) => i18n.t(`messages.roles.${r}`)).join('、'),
          i18n.t(u.isActive ? 'messages.common.yes' : 'messages.common.no'),
          formatDateTime(u.lastLoginAt),
        ])
      )
    }

    const users = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    users.baseUrl('/admin/users').queryString(listQuery)
    const units = await Unit.query().orderBy('name')
    const me = auth.getUserOrFail()
    const allPending = await mfaReset.allPending()
    const pendingResets = allPending.filter((r) => r.requestedBy !== me.id && r.targetId !== me.id)
    return view.render('pages/admin/users/index', {
      users,
      units,
      filters,
      filterErrors: errors,
      values,
      roles: ROLES,
      pendingResets,
    })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const units = await Unit.query().where('is_active', true).orderBy('name')
    return view.render('pages/admin/users/form', { user: null, units, roles: ROLES })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const payload = await request.validateUsing(createUserValidator)
    this.requireUnitForApplicant(payload, i18n)
    const user = await userAdmin.create(payload, actorFrom(ctx))
    session.flash('success', i18n.t('messages.users.created', { username: user.username }))
    return response.redirect('/admin/users')
  }

  async edit({ params, view, bouncer }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.query().where('id', params.id).preload('roleRows').firstOrFail()
    const units = await Unit.query().orderBy('name')
    return view.render('pages/admin/users/form', { user, units, roles: ROLES })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.findOrFail(params.id)
    const payload = await request.validateUsing(updateUserValidator)
    this.requireUnitForApplicant(payload, i18n)
    await userAdmin.update(user, payload, actorFrom(ctx))
    session.flash('success', i18n.t('messages.users.updated', { username: user.username }))
    return response.redirect('/admin/users')
  }

  async toggleActive(ctx: HttpContext) {
    const { params, response, session, bouncer, auth, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.findOrFail(params.id)
    if (user.id === auth.user!.id) {
      session.flash('error', i18n.t('messages.users.cannot_disable_self'))
      return response.redirect().back()
    }
    await userAdmin.setActive(user, !user.isActive, actorFrom(ctx))
    session.flash(
      'success',
      i18n.t(user.isActive ? 'messages.users.enabled' : 'messages.users.disabled', {
        username: user.username,
      })
    )
    return response.redirect().back()
  }

  async resetPassword(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.findOrFail(params.id)
    const { password } = await request.validateUsing(resetPasswordValidator, {
      meta: { username: user.username },
    })
    await userAdmin.resetPassword(user, password, actorFrom(ctx))
    session.flash('success', i18n.t('messages.users.password_reset', { username: user.username }))
    return response.redirect().back()
  }

  async unlock(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUsers')
    const user = await User.findOrFail(params.id)
    await userAdmin.unlock(user, actorFrom(ctx))
    session.flash('success', i18n.t('messages.users.unlocked', { username: user.username }))
    return response.redirect().back()
  }

  /** An applicant acts for one unit, so the unit is required for that role. */
  protected requireUnitForApplicant(
    payload: { roles: string[]; unitId?: number },
    i18n: HttpContext['i18n']
  ) {
    if (payload.roles.includes('applicant') && !payload.unitId) {
      throw fieldError('unitId', i18n.t('messages.users.applicant_needs_unit'), 'applicantUnit')
    }
  }
}
