import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { errors as vineErrors } from '@vinejs/vine'
import type { HttpContext } from '@adonisjs/core/http'
import Unit from '#identity/models/unit'
import Device, {
  CRITICALITIES,
  DEVICE_TYPES,
  MIN_POLL_INTERVAL_SECONDS,
  SNMP_VERSIONS,
  V3_AUTH_PROTOCOLS,
  V3_PRIV_PROTOCOLS,
  V3_SECURITY_LEVELS,
} from '#network_monitoring/models/device'
import { SITE_LEVELS } from '#network_monitoring/models/site'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import inventory, { type DeviceProblem } from '#network_monitoring/services/inventory_service'
import { loadSiteTree } from '#network_monitoring/services/site_tree'
import { displayStatus } from '#network_monitoring/services/device_status'
import { exportDevicesCsv } from '#network_monitoring/services/device_csv'
import deviceDetails from '#network_monitoring/services/device_details'
import {
  deviceListValidator,
  deviceShowValidator,
  deviceValidator,
} from '#network_monitoring/validators/device_validators'
import {
  MonitoringMessagesProvider,
  monitoringMessages,
} from '#network_monitoring/validators/messages_provider'
import { actorFrom } from '#core/audit/audit_service'
import { PAGE_SIZE, sendCsv } from '#core/http_helpers'
import { validateFilters } from '#core/list_filters'
import { monitoringSettings } from '#network_monitoring/services/monitoring_settings'

/** The device inventory (设备台账) of the network administrator. */
export default class DevicesController {
  async index(ctx: HttpContext) {
    const { request, view, bouncer, response, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('view')
    const {
      filters,
      errors,
      query: listQuery,
      values,
    } = await validateFilters(ctx, deviceListValidator, monitoringMessages({ i18n }))
    const query = Device.query()
      .preload('site', (site) => site.preload('parent'))
      .preload('unit')
      .preload('parentDevice')
      .preload('state')
      .orderBy('id')
    if (filters.q) {
      const like = `%${filters.q}%`
      // plain LIKE: Lucid's whereLike adds COLLATE utf8_bin, which utf8mb4 columns refuse
      query.where((q) =>
        q
          .where('name', 'like', like)
          .orWhere('management_ip', 'like', like)
          .orWhere('description', 'like', like)
      )
    }
    if (filters.type) query.where('device_type', filters.type)
    if (filters.criticality) query.where('criticality', filters.criticality)
    if (filters.unitId) query.where('unit_id', filters.unitId)
    if (filters.level) query.whereHas('site', (site) => site.where('level', filters.level!))
    if (filters.townId) {
      const townId = filters.townId
      query.whereHas('site', (site) =>
        site.where((q) => q.where('id', townId).orWhere('parent_id', townId))
      )
    }
    if (filters.status === 'enabled') query.where('is_enabled', true)
    if (filters.status === 'disabled') query.where('is_enabled', false)
    if (filters.status === 'up' || filters.status === 'down') {
      const status = filters.status
      query.where('is_enabled', true).whereHas('state', (state) => state.where('status', status))
    }
    if (filters.status === 'unknown') {
      query
        .where('is_enabled', true)
        .where((q) =>
          q.doesntHave('state').orWhereHas('state', (state) => state.where('status', 'unknown'))
        )
    }

    if (request.input('format') === 'csv') {
      const { header, rows } = exportDevicesCsv(await query, i18n)
      return sendCsv(response, 'devices.csv', header, rows)
    }

    const devices = await query.paginate(filters.page ?? 1, PAGE_SIZE)
    devices.baseUrl('/monitoring/devices').queryString(listQuery)
    const now = DateTime.utc()
    const sqlNow = now.toFormat('yyyy-MM-dd HH:mm:ss')
    const maintained = await db
      .from('maintenance_windows')
      .whereIn(
        'device_id',
        devices.all().map((device) => device.id)
      )
      .where('starts_at', '<=', sqlNow)
      .where('ends_at', '>', sqlNow)
      .select('device_id')
    const inMaintenance = new Set(maintained.map((row) => Number(row.device_id)))
    const statuses = new Map(
      devices.all().map((device) => [
        device.id,
        displayStatus(
          {
            inMaintenance: inMaintenance.has(device.id),
            isEnabled: device.isEnabled,
            pollingSupported: device.pollingSupported,
            pollIntervalSeconds: device.pollIntervalSeconds,
            status: device.state?.status ?? null,
            lastPollAt: device.state?.lastPollAt ?? null,
          },
          now
        ),
      ])
    )
    const [tree, units] = await Promise.all([loadSiteTree(), Unit.query().orderBy('name')])
    return view.render('pages/monitoring/devices/index', {
      devices,
      statuses,
      filters,
      filterErrors: errors,
      values,
      tree,
      units,
      deviceTypes: DEVICE_TYPES,
      criticalities: CRITICALITIES,
      siteLevels: SITE_LEVELS,
    })
  }

  async create({ view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('manage')
    return view.render('pages/monitoring/devices/form', { device: null, ...(await formData()) })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const payload = await request.validateUsing(deviceValidator, monitoringMessages(ctx))
    const input = { ...payload, isEnabled: payload.isEnabled ?? false }
    throwProblems(await inventory.check(input, null), i18n)
    const device = await inventory.create(input, actorFrom(ctx))
    session.flash('success', i18n.t('monitoring.devices.created', { name: device.name }))
    return response.redirect(`/monitoring/devices/${device.id}`)
  }

  async show({ params, request, view, bouncer, i18n }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('view')
    const device = await Device.query()
      .where('id', params.id)
      .preload('site', (site) => site.preload('parent'))
      .preload('unit')
      .preload('parentDevice')
      .preload('state')
      .preload('interfaces', (q) => q.orderBy('if_index'))
      .preload('maintenanceWindows', (q) => q.orderBy('starts_at', 'desc').limit(20))
      .firstOrFail()
    const { ifIndex } = await deviceShowValidator.validate(
      request.qs(),
      monitoringMessages({ i18n })
    )
    const details = await deviceDetails.load(device, ifIndex ?? null, i18n)
    return view.render('pages/monitoring/devices/show', { device, ...details })
  }

  async edit({ params, view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const device = await Device.findOrFail(params.id)
    return view.render('pages/monitoring/devices/form', { device, ...(await formData(device)) })
  }

  async update(ctx: HttpContext) {
    const { params, request, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const device = await Device.findOrFail(params.id)
    const payload = await request.validateUsing(
      deviceValidator,
      monitoringMessages(ctx, { deviceId: device.id })
    )
    const input = { ...payload, isEnabled: payload.isEnabled ?? false }
    throwProblems(await inventory.check(input, device), i18n)
    if (!inventory.changes(device, input).any) {
      // nothing to save: no write, no empty audit row
      session.flash('warning', i18n.t('monitoring.devices.unchanged', { name: device.name }))
      return response.redirect(`/monitoring/devices/${device.id}`)
    }
    await inventory.update(device, input, actorFrom(ctx))
    session.flash('success', i18n.t('monitoring.devices.updated', { name: device.name }))
    return response.redirect(`/monitoring/devices/${device.id}`)
  }

  async toggleEnabled(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const device = await Device.findOrFail(params.id)
    await inventory.setEnabled(device, !device.isEnabled, actorFrom(ctx))
    session.flash(
      'success',
      i18n.t(device.isEnabled ? 'monitoring.devices.enabled' : 'monitoring.devices.disabled', {
        name: device.name,
      })
    )
    return response.redirect().back()
  }

  async destroy(ctx: HttpContext) {
    const { params, response, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const device = await Device.findOrFail(params.id)
    await inventory.delete(device, actorFrom(ctx))
    session.flash('success', i18n.t('monitoring.devices.deleted', { name: device.name }))
    return response.redirect('/monitoring/devices')
  }
}

/** Choices of the device form. */
async function formData(device?: Device) {
  const [tree, units, parents] = await Promise.all([
    loadSiteTree(),
    Unit.query().where('is_active', true).orderBy('name'),
    Device.query()
      .select('id', 'name', 'management_ip', 'snmp_port')
      .if(device, (q) => q.whereNot('id', device!.id))
      .orderBy('name'),
  ])
  return {
    tree,
    units,
    parents,
    deviceTypes: DEVICE_TYPES,
    criticalities: CRITICALITIES,
    versions: SNMP_VERSIONS,
    securityLevels: V3_SECURITY_LEVELS,
    authProtocols: V3_AUTH_PROTOCOLS,
    privProtocols: V3_PRIV_PROTOCOLS,
    minInterval: MIN_POLL_INTERVAL_SECONDS,
    defaultInterval: 60,
    defaultTimeoutMs: monitoringSettings().snmpTimeoutMs,
  }
}

/** Cross-field problems become ordinary form errors, worded in the user's language. */
function throwProblems(problems: DeviceProblem[], i18n: HttpContext['i18n']) {
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
