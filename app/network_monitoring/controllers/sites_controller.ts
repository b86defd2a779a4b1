import { errors as vineErrors } from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Site, { SITE_LEVELS } from '#network_monitoring/models/site'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import sites, { type SiteProblem } from '#network_monitoring/services/site_service'
import { SimplePaginator } from '@adonisjs/lucid/database'
import { filterSiteRows, loadSiteTree, siteRows } from '#network_monitoring/services/site_tree'
import { siteListValidator, siteValidator } from '#network_monitoring/validators/site_validators'
import {
  MonitoringMessagesProvider,
  monitoringMessages,
} from '#network_monitoring/validators/messages_provider'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'

/** The site tree 县 → 乡镇 → 村 that devices are placed in. */
export default class SitesController {
  async index(ctx: HttpContext) {
    const { request, view, bouncer, response, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('view')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, siteListValidator, monitoringMessages({ i18n }))
    const [tree, counts] = await Promise.all([
      loadSiteTree(),
      db.from('network_devices').select('site_id').count('* as total').groupBy('site_id'),
    ])
    const deviceCounts = new Map(counts.map((row) => [Number(row.site_id), Number(row.total)]))
    const rows = filterSiteRows(siteRows(tree), filters)

    if (request.input('format') === 'csv') {
      const t = (key: string) => i18n.t(`monitoring.sites.${key}`)
      return sendCsv(
        response,
        'sites.csv',
        [t('name'), t('level'), t('town'), t('county'), t('devices')],
        rows.map((row) => [
          row.site.name,
          i18n.t(`monitoring.site_levels.${row.site.level}`),
          row.town?.name ?? '',
          row.county?.name ?? '',
          deviceCounts.get(row.site.id) ?? 0,
        ])
      )
    }

    const page = Math.min(filters.page ?? 1, Math.max(1, Math.ceil(rows.length / PAGE_SIZE)))
    const sitesPage = new SimplePaginator(
      rows.length,
      PAGE_SIZE,
      page,
      ...rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    )
    sitesPage.baseUrl('/monitoring/sites').queryString(listQuery)
    return view.render('pages/monitoring/sites/index', {
      sites: sitesPage,
      hasSites: tree.byId.size > 0,
      tree,
      deviceCounts,
      filters,
      filterErrors: errors,
      values,
      query: listQuery,
      levels: SITE_LEVELS,
    })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('manage')
    return view.render('pages/monitoring/sites/form', {
      site: null,
      tree: await loadSiteTree(),
      levels: SITE_LEVELS,
    })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const payload = await request.validateUsing(siteValidator, monitoringMessages(ctx))
    throwProblems(await sites.check(payload), i18n)
    const site = await sites.create(payload, actorFrom(ctx))
    session.flash('success', i18n.t('monitoring.sites.created', { name: site.name }))
    return response.redirect('/monitoring/sites')
  }

  async edit({ params, view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const site = await Site.findOrFail(params.id)
    return view.render('pages/monitoring/sites/form', {
      site,
      tree: await loadSiteTree(),
      levels: SITE_LEVELS,
    })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const site = await Site.findOrFail(params.id)
    const payload = await request.validateUsing(
      siteValidator,
      monitoringMessages(ctx, { siteId: site.id })
    )
    throwProblems(await sites.check(payload, site.id), i18n)
    await sites.update(site, payload, actorFrom(ctx))
    session.flash('success', i18n.t('monitoring.sites.updated', { name: site.name }))
    return response.redirect('/monitoring/sites')
  }

  async destroy(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const site = await Site.findOrFail(params.id)
    const problem = await sites.delete(site, actorFrom(ctx))
    if (problem) {
      session.flash('error', new MonitoringMessagesProvider(i18n).ruleMessage('site', problem.rule))
    } else {
      session.flash('success', i18n.t('monitoring.sites.deleted', { name: site.name }))
    }
    return response.redirect('/monitoring/sites')
  }
}

function throwProblems(problems: SiteProblem[], i18n: HttpContext['i18n']) {
  if (problems.length === 0) return
  const provider = new MonitoringMessagesProvider(i18n)
  throw new vineErrors.E_VALIDATION_ERROR(
    problems.map((problem) => ({
      field: problem.field,
      rule: problem.rule,
      message: provider.ruleMessage(problem.field, problem.rule),
    }))
  )
}
