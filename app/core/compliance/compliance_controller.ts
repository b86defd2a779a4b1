import type { HttpContext } from '@adonisjs/core/http'
import AuditPolicy from '#core/audit/audit_policy'
import { collectEvidence } from '#core/compliance/evidence_service'

/** 等保测评佐证: the technical controls with live figures, for the auditor (审计员). */
export default class ComplianceController {
  async show({ view, bouncer }: HttpContext) {
    await bouncer.with(AuditPolicy).authorize('view')
    return view.render('pages/compliance/show', { evidence: await collectEvidence() })
  }
}
