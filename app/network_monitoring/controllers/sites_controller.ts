import { errors as vineErrors } from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Site, { SITE_LEVELS } from '#network_monitoring/models/site'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import sites, { type SiteProblem } from '#network_monitoring/services/site_service'
import { loadSiteTree } from '#network_monitoring/services/site_tree'
import { siteValidator } from '#network_monitoring/validators/site_validators'
import {
  MonitoringMessagesProvider,
  monitoringMessages,
} from '#network_monitoring/validators/messages_provider'
import { actorFrom } from '#core/audit/audit_service'

/** The site tree 县 → 乡镇 → 村 that devices are placed in. */
export default class SitesController {
  async index({ view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('view')
    const [tree, counts] = await Promise.all([
      loadSiteTree(),
      db.from('network_devices').select('site_id').count('* as total').groupBy('site_id'),
    ])
    const deviceCounts = new Map(counts.map((row) => [Number(row.site_id), Number(row.total)]))
    return view.render('pages/monitoring/sites/index', { tree, deviceCounts, levels: SITE_LEVELS })
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
