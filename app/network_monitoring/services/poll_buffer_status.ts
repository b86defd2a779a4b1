import { readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Poll results held back because the database refused them: what the board shows. */
export interface PollBufferStatus {
  /** Results waiting in memory and in the journal file. */
  buffered: number
  /** Oldest results dropped because the buffer was full (not yet recorded in the audit trail). */
  dropped: number
  /** POLL_BUFFER_MAX. */
  max: number
  /** When the poller last updated this (ISO, UTC). */
  updatedAt: string
}

/** The poller of this process (web scheduler), when it has something held back. */
let current: PollBufferStatus | null = null

/** `<journal>.status.json`: the same status for a board served by another process (`snmp:poll`). */
export function statusFileOf(journalPath: string) {
  return `${journalPath}.status.json`
}

/**
 * The poll job publishes its buffer after each change (null: nothing held
 * back). Best effort: a status file that cannot be written only costs the
 * banner of a board served by another process.
 */
export async function publishPollBuffer(status: PollBufferStatus | null, journalPath?: string) {
  current = status
  if (!journalPath) return
  const file = statusFileOf(journalPath)
  try {
    if (status === null) await rm(file, { force: true })
    else {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, JSON.stringify(status), 'utf8')
    }
  } catch {
    // the in-process status still shows on this process's board
  }
}

/** This process's poller first, else the status file another process left next to the journal. */
export async function readPollBuffer(journalPath: string): Promise<PollBufferStatus | null> {
  if (current) return current
  try {
    const status = JSON.parse(await readFile(statusFileOf(journalPath), 'utf8')) as PollBufferStatus
    return Number.isFinite(status.buffered) && Number.isFinite(status.dropped) ? status : null
  } catch {
    return null
  }
}
