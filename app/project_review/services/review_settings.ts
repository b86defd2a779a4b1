import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import audit, { type AuditActor } from '#core/audit/audit_service'
import {
  DEFAULT_SCORE_TEMPLATE,
  DEFAULT_THRESHOLDS,
  conclusionFor,
  validateCriteria,
  type ConclusionThresholds,
  type Criterion,
} from '#project_review/domain/aggregation'
import { DEFAULT_SIMILARITY_THRESHOLD } from '#project_review/domain/similarity'
import { ReviewError, isDomainError } from '#project_review/errors'
import type { AttachmentKind } from '#project_review/models/project_attachment'

/** Settings of the project review that the sysadmin may change. */
export interface ReviewSettings {
  /** 疑似重复建设 threshold on the cosine similarity, 0–1. */
  similarityThreshold: number
  /** Conclusion thresholds on the final score (通过 / 修改后通过). */
  thresholds: ConclusionThresholds
  /** The score-sheet template new panels are drawn with. */
  scoreTemplate: Criterion[]
  /** Attachments a proposal must carry before it can be submitted (default 可行性研究报告). */
  requiredAttachments: AttachmentKind[]
}

const DEFAULTS: ReviewSettings = {
  similarityThreshold: DEFAULT_SIMILARITY_THRESHOLD,
  thresholds: { ...DEFAULT_THRESHOLDS },
  scoreTemplate: DEFAULT_SCORE_TEMPLATE.map((criterion) => ({ ...criterion })),
  requiredAttachments: ['feasibility'],
}

type Client = TransactionClientContract | typeof db

/** Reads and writes review_settings (one JSON value per key), falling back to the defaults. */
export class ReviewSettingsService {
  async get(client: Client = db): Promise<ReviewSettings> {
    const rows: { key: string; value: string }[] = await client.from('review_settings').select('*')
    const settings: ReviewSettings = structuredClone(DEFAULTS)
    for (const row of rows) {
      if (!(row.key in settings)) continue
      try {
        ;(settings as unknown as Record<string, unknown>)[row.key] = JSON.parse(row.value)
      } catch {
        // an unreadable value keeps its default
      }
    }
    return settings
  }

  /** Validates and stores the settings; the change is audited with before and after. */
  async update(next: ReviewSettings, actor: AuditActor) {
    try {
      validateCriteria(next.scoreTemplate)
      conclusionFor(0, next.thresholds)
    } catch (error) {
      if (isDomainError(error)) throw ReviewError.fromDomain(error)
      throw error
    }
    return db.transaction(async (trx) => {
      const before = await this.get(trx)
      const now = DateTime.utc().toFormat('yyyy-MM-dd HH:mm:ss')
      for (const key of Object.keys(DEFAULTS) as (keyof ReviewSettings)[]) {
        const value = JSON.stringify(next[key])
        const updated = await trx
          .from('review_settings')
          .where('key', key)
          .update({ value, updated_at: now })
        if (Number(Array.isArray(updated) ? updated[0] : updated) === 0) {
          await trx.table('review_settings').insert({ key, value, updated_at: now })
        }
      }
      await audit.record(
        {
          ...actor,
          action: 'review.settings.update',
          targetType: 'review_settings',
          details: { before, after: next },
        },
        trx
      )
    })
  }
}

export default new ReviewSettingsService()
