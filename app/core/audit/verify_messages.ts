import type { VerifyResult } from '#core/audit/audit_service'

/** English console text for a failed verification (the web page uses i18n). */
export function describeFailure(result: Extract<VerifyResult, { ok: false }>) {
  const cp = result.checkpoint
  switch (result.reason) {
    case 'content_altered':
      return 'content was altered (HMAC does not match: edited, recomputed or made-up row)'
    case 'link_broken':
      return 'an earlier event was deleted or altered (broken link)'
    case 'tail_missing':
      return 'the newest event(s) were deleted'
    case 'unknown_key':
      return 'the row is not sealed with a known AUDIT_KEY (made-up row, or a missing AUDIT_PREVIOUS_KEYS entry)'
    case 'behind_checkpoint':
      return `the chain ends before the newest signed checkpoint (${cp?.time}, event #${cp?.lastId}, ${cp?.count} events): events were deleted or wiped, or this is a restore of an older backup`
    case 'checkpoint_mismatch':
      return `the chain does not match the newest signed checkpoint (${cp?.time}, event #${cp?.lastId}, ${cp?.count} events)`
    case 'anchor_moved':
      return 'the retention anchor was moved without a signed purge checkpoint (oldest events deleted)'
    case 'checkpoint_forged':
      return `checkpoint file ${result.detail ?? ''} has an invalid signature`
  }
}
