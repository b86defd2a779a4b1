import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Site, { PARENT_LEVEL, type SiteLevel } from '#network_monitoring/models/site'
import audit, { type AuditActor } from '#core/audit/audit_service'

export interface SiteInput {
  siteName: string
  level: SiteLevel
  parentId?: number | null
  sortOrder?: number
}

/** A rule a site breaks; the controller words it (monitoring.validator.messages.<rule>). */
export interface SiteProblem {
  field: 'siteName' | 'parentId' | 'level'
  rule: 'siteParentLevel' | 'siteNameTaken' | 'siteHasChildren' | 'siteHasDevices'
}

/** The site tree (县 → 乡镇 → 村): each change is one transaction with its audit event. */
export class SiteService {
  /** Problems with placing `input` in the tree (empty when it fits). */
  async check(input: SiteInput, siteId?: number, client?: TransactionClientContract) {
    const problems: SiteProblem[] = []
    const parentLevel = PARENT_LEVEL[input.level]
    const parentId = input.parentId ?? null
    if (parentLevel === null && parentId !== null) {
      problems.push({ field: 'parentId', rule: 'siteParentLevel' })
    } else if (parentLevel !== null) {
      const parent = parentId ? await Site.find(parentId, { client }) : null
      if (!parent || parent.level !== parentLevel) {
        problems.push({ field: 'parentId', rule: 'siteParentLevel' })
      }
    }
    const sibling = Site.query({ client }).where('name', input.siteName)
    if (parentId === null) sibling.whereNull('parent_id')
    else sibling.where('parent_id', parentId)
    if (siteId) sibling.whereNot('id', siteId)
    if (await sibling.first()) problems.push({ field: 'siteName', rule: 'siteNameTaken' })
    if (siteId) {
      const current = await Site.find(siteId, { client })
      if (current && current.level !== input.level) {
        const child = await Site.query({ client }).where('parent_id', siteId).first()
        if (child) problems.push({ field: 'level', rule: 'siteHasChildren' })
      }
    }
    return problems
  }

  async create(input: SiteInput, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const site = await Site.create(
        {
          name: input.siteName,
          level: input.level,
          parentId: input.parentId ?? null,
          sortOrder: input.sortOrder ?? 0,
        },
        { client: trx }
      )
      await audit.record(
        {
          ...actor,
          action: 'site.create',
          targetType: 'network_site',
          targetId: site.id,
          details: { name: site.name, level: site.level, parentId: site.parentId },
        },
        trx
      )
      return site
    })
  }

  async update(site: Site, input: SiteInput, actor: AuditActor) {
    return db.transaction(async (trx) => {
      site.useTransaction(trx)
      const before = { name: site.name, level: site.level, parentId: site.parentId }
      site.merge({
        name: input.siteName,
        level: input.level,
        parentId: input.parentId ?? null,
        sortOrder: input.sortOrder ?? site.sortOrder,
      })
      await site.save()
      await audit.record(
        {
          ...actor,
          action: 'site.update',
          targetType: 'network_site',
          targetId: site.id,
          details: {
            before,
            after: { name: site.name, level: site.level, parentId: site.parentId },
          },
        },
        trx
      )
      return site
    })
  }

  /** Deletes an empty site; refuses one with child sites or devices. */
  async delete(site: Site, actor: AuditActor): Promise<SiteProblem | null> {
    return db.transaction(async (trx) => {
      if (await Site.query({ client: trx }).where('parent_id', site.id).first()) {
        return { field: 'siteName', rule: 'siteHasChildren' } as const
      }
      if (await trx.from('network_devices').where('site_id', site.id).first()) {
        return { field: 'siteName', rule: 'siteHasDevices' } as const
      }
      await trx.from('network_sites').where('id', site.id).delete()
      await audit.record(
        {
          ...actor,
          action: 'site.delete',
          targetType: 'network_site',
          targetId: site.id,
          details: { name: site.name, level: site.level },
        },
        trx
      )
      return null
    })
  }
}

export default new SiteService()
