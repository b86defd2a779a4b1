import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import Unit from '#identity/models/unit'
import AdminPolicy from '#identity/policies/admin_policy'
import audit, { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { unitValidator, listQueryValidator } from '#identity/validators/admin_validators'

/** Organisation units (单位) — sysadmin only. */
export default class UnitsController {
  async index(ctx: HttpContext) {
    const { request, view, bouncer, response, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUnits')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, listQueryValidator)
    const query = Unit.query().withCount('users').orderBy('id')
    if (filters.q) {
      const like = `%${filters.q}%`
      query.where((q) => q.where('name', 'like', like).orWhere('code', 'like', like))
    }
    if (request.input('format') === 'csv') {
      const units = await query
      return sendCsv(
        response,
        'units.csv',
        ['code', 'name', 'kind', 'users', 'active'].map((k) =>
          i18n.t(`messages.units.fields.${k}`)
        ),
        units.map((u) => [
          u.code,
          u.name,
          i18n.t(`messages.units.kinds.${u.kind}`),
          u.$extras.users_count,
          i18n.t(u.isActive ? 'messages.common.yes' : 'messages.common.no'),
        ])
      )
    }
    const units = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    units.baseUrl('/admin/units').queryString(listQuery)
    return view.render('pages/admin/units/index', {
      units,
      filters,
      filterErrors: errors,
      values,
    })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUnits')
    return view.render('pages/admin/units/form', { unit: null })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUnits')
    const payload = await request.validateUsing(unitValidator, { meta: { unitId: null } })
    const unit = await db.transaction(async (trx) => {
      const created = await Unit.create({ ...payload, isActive: true }, { client: trx })
      await audit.record(
        {
          ...actorFrom(ctx),
          action: 'unit.create',
          targetType: 'unit',
          targetId: created.id,
          details: payload,
        },
        trx
      )
      return created
    })
    session.flash('success', i18n.t('messages.units.created', { name: unit.name }))
    return response.redirect('/admin/units')
  }

  async edit({ params, view, bouncer }: HttpContext) {
    await bouncer.with(AdminPolicy).authorize('manageUnits')
    const unit = await Unit.findOrFail(params.id)
    return view.render('pages/admin/units/form', { unit })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUnits')
    const unit = await Unit.findOrFail(params.id)
    const payload = await request.validateUsing(unitValidator, { meta: { unitId: unit.id } })
    await db.transaction(async (trx) => {
      const before = { code: unit.code, name: unit.name, kind: unit.kind }
      unit.useTransaction(trx)
      unit.merge(payload)
      await unit.save()
      await audit.record(
        {
          ...actorFrom(ctx),
          action: 'unit.update',
          targetType: 'unit',
          targetId: unit.id,
          details: { before, after: payload },
        },
        trx
      )
    })
    session.flash('success', i18n.t('messages.units.updated', { name: unit.name }))
    return response.redirect('/admin/units')
  }

  async toggleActive(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(AdminPolicy).authorize('manageUnits')
    const unit = await Unit.findOrFail(params.id)
    unit.isActive = !unit.isActive
    await audit.saveWithAudit(unit, {
      ...actorFrom(ctx),
      action: unit.isActive ? 'unit.enable' : 'unit.disable',
      targetType: 'unit',
      targetId: unit.id,
      details: { name: unit.name },
    })
    session.flash(
      'success',
      i18n.t(unit.isActive ? 'messages.units.enabled' : 'messages.units.disabled', {
        name: unit.name,
      })
    )
    return response.redirect().back()
  }
}
