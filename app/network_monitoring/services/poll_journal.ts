import { appendFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PollRecord } from '#network_monitoring/services/poll_records'

/**
 * Poll results waiting for the database, one JSON line each, in the order
 * they happened: appended while the database is away, replayed (and then
 * cleared) when it is back — by the same process or, after a restart, the
 * next one. A torn last line (crash mid-append) is skipped. Operations are
 * serialised so a rewrite never interleaves with an append.
 */
export class PollJournal {
  readonly path: string
  #queue: Promise<unknown> = Promise.resolve()

  constructor(path: string) {
    this.path = path
  }

  append(records: PollRecord[]) {
    if (records.length === 0) return Promise.resolve()
    const text = records.map((record) => JSON.stringify(record)).join('\n') + '\n'
    return this.#serial(async () => {
      await mkdir(dirname(this.path), { recursive: true })
      await appendFile(this.path, text, 'utf8')
    })
  }

  /** Replaces the journal with exactly these records (after a partial flush or a drop). */
  rewrite(records: PollRecord[]) {
    const text = records.map((record) => JSON.stringify(record) + '\n').join('')
    return this.#serial(async () => {
      if (records.length === 0) {
        await rm(this.path, { force: true })
        return
      }
      await mkdir(dirname(this.path), { recursive: true })
      const temporary = `${this.path}.tmp`
      await writeFile(temporary, text, 'utf8')
      await rename(temporary, this.path)
    })
  }

  clear() {
    return this.#serial(() => rm(this.path, { force: true }))
  }

  async load(): Promise<PollRecord[]> {
    const text = await this.#serial(() =>
      readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return ''
        throw error
      })
    )
    const records: PollRecord[] = []
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        records.push(JSON.parse(line) as PollRecord)
      } catch {
        // a line torn by a crash mid-append
      }
    }
    records.sort((a, b) => a.takenAtMs - b.takenAtMs)
    return records
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work)
    this.#queue = next.catch(() => {})
    return next
  }
}
