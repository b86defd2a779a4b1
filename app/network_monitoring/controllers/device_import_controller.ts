import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import MonitoringPolicy from '#network_monitoring/policies/monitoring_policy'
import deviceImport, { MAX_IMPORT_ROWS } from '#network_monitoring/services/device_import'
import { CSV_COLUMNS, REQUIRED_CSV_COLUMNS } from '#network_monitoring/services/device_csv'
import { actorFrom } from '#core/audit/audit_service'

/** Spreadsheets saved by Excel in China are often GB18030, not UTF-8. */
function decode(buffer: Buffer) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer)
  } catch {
    return new TextDecoder('gb18030').decode(buffer)
  }
}

/** Bulk import of the device inventory from CSV (all rows or none). */
export default class DeviceImportController {
  async create({ view, bouncer }: HttpContext) {
    await bouncer.with(MonitoringPolicy).authorize('manage')
    return view.render('pages/monitoring/devices/import', this.#page())
  }

  async store(ctx: HttpContext) {
    const { request, response, view, session, bouncer, i18n } = ctx
    await bouncer.with(MonitoringPolicy).authorize('manage')
    const file = request.file('file', { size: '2mb', extnames: ['csv', 'txt'] })
    if (!file || !file.isValid || !file.tmpPath) {
      const fileError = !file
        ? i18n.t('monitoring.import.no_file')
        : file.errors[0]?.type === 'size'
          ? i18n.t('monitoring.import.too_large')
          : file.size === 0
            ? i18n.t('monitoring.import.empty_file')
            : i18n.t('monitoring.import.not_csv')
      response.status(422)
      return view.render('pages/monitoring/devices/import', { ...this.#page(), fileError })
    }
    const text = decode(await readFile(file.tmpPath))
    const createSites = Boolean(request.input('createSites'))
    const result = await deviceImport.import(text, actorFrom(ctx), i18n, file.clientName, {
      createSites,
    })
    if (!result.ok) {
      response.status(422)
      return view.render('pages/monitoring/devices/import', {
        ...this.#page(),
        fileError: result.fileError,
        errors: result.errors.slice(0, 200),
        moreErrors: Math.max(0, result.errors.length - 200),
        errorRows: result.errors.length,
        createSites,
      })
    }
    session.flash('success', i18n.t('monitoring.import.done', result))
    return response.redirect('/monitoring/devices')
  }

  #page() {
    return { columns: CSV_COLUMNS, required: REQUIRED_CSV_COLUMNS, maxRows: MAX_IMPORT_ROWS }
  }
}
