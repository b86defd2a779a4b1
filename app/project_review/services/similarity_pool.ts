import { Worker } from 'node:worker_threads'
import type {
  ProposalText,
  SimilarityOptions,
  SimilarityResult,
  TextPiece,
} from '#project_review/domain/similarity'
import type { WorkerRequest } from '#project_review/services/similarity_worker'

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

/**
 * Main-thread side of the similarity worker: one lazily started worker thread, requests matched
 * to answers by id. The worker keeps the process alive only while a request is pending, and a
 * crashed worker fails its pending requests and is replaced on the next call.
 */
class SimilarityPool {
  #worker: Worker | null = null
  #pending = new Map<number, Pending>()
  #nextId = 1

  #start() {
    const self = new URL(import.meta.url)
    const entry = new URL(
      self.pathname.endsWith('.ts') ? './similarity_worker.ts' : './similarity_worker.js',
      self
    )
    // in development and tests the app runs TypeScript through ts-exec: load it in the worker too
    const loader = entry.pathname.endsWith('.ts') ? import.meta.resolve('@poppinss/ts-exec') : null
    const code = `${loader ? `await import(${JSON.stringify(loader)});` : ''}await import(${JSON.stringify(entry.href)});`
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`))
    worker.unref()
    worker.on('message', ({ id, result, error }) => {
      const pending = this.#pending.get(id)
      if (!pending) return
      this.#pending.delete(id)
      if (this.#pending.size === 0) worker.unref()
      if (error) pending.reject(new Error(`similarity worker: ${error}`))
      else pending.resolve(result)
    })
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = null
      for (const pending of this.#pending.values()) pending.reject(error)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (exitCode) =>
      fail(new Error(`similarity worker exited with code ${exitCode}`))
    )
    this.#worker = worker
    return worker
  }

  #call<T>(request: WorkerRequest): Promise<T> {
    const worker = this.#worker ?? this.#start()
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      worker.ref()
      worker.postMessage({ id, request })
    })
  }

  /** Term counts of each proposal, the excluded phrases (normalised unit names) left out. */
  async terms(texts: ProposalText[], exclude: string[]): Promise<Map<string, number>[]> {
    const result = await this.#call<[string, number][][]>({ kind: 'terms', texts, exclude })
    return result.map((entries) => new Map(entries))
  }

  highlight(texts: string[], shared: string[], exclude: string[]): Promise<TextPiece[][]> {
    return this.#call({ kind: 'highlight', texts, shared, exclude })
  }

  rank(
    candidate: { id: number; terms: Map<string, number> },
    others: { id: number; terms: Map<string, number> }[],
    documentCount: number,
    documentFrequency: Map<string, number>,
    options: SimilarityOptions
  ): Promise<SimilarityResult> {
    return this.#call({
      kind: 'rank',
      candidate: { id: candidate.id, terms: [...candidate.terms] },
      others: others.map((other) => ({ id: other.id, terms: [...other.terms] })),
      documentCount,
      documentFrequency: [...documentFrequency],
      options,
    })
  }

  /** Stops the worker (tests and the benchmark; the server just lets it be). */
  async close() {
    const worker = this.#worker
    this.#worker = null
    if (worker) await worker.terminate()
  }
}

export default new SimilarityPool()
