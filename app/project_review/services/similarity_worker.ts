import { parentPort } from 'node:worker_threads'
import {
  highlight,
  jieba,
  rankDocuments,
  termCounts,
  type ProposalText,
  type SimilarityOptions,
} from '#project_review/domain/similarity'

/**
 * The similarity worker thread: owns the jieba dictionary (≈200 ms to load) and does every
 * CPU-bound step of the duplicate check, so the event loop serving requests never waits on it.
 */
export type WorkerRequest =
  | { kind: 'terms'; texts: ProposalText[]; exclude: string[] }
  | { kind: 'highlight'; texts: string[]; shared: string[]; exclude: string[] }
  | {
      kind: 'rank'
      candidate: { id: number; terms: [string, number][] }
      others: { id: number; terms: [string, number][] }[]
      documentCount: number
      documentFrequency: [string, number][]
      options: SimilarityOptions
    }

function handle(request: WorkerRequest) {
  switch (request.kind) {
    case 'terms':
      return request.texts.map((text) => [...termCounts(text, request.exclude)])
    case 'highlight': {
      const shared = new Set(request.shared)
      return request.texts.map((text) => highlight(text, shared, request.exclude))
    }
    case 'rank':
      return rankDocuments(
        { id: request.candidate.id, terms: new Map(request.candidate.terms) },
        request.others.map((other) => ({ id: other.id, terms: new Map(other.terms) })),
        {
          documentCount: request.documentCount,
          documentFrequency: new Map(request.documentFrequency),
        },
        request.options
      )
  }
}

jieba()
parentPort!.on('message', ({ id, request }: { id: number; request: WorkerRequest }) => {
  try {
    parentPort!.postMessage({ id, result: handle(request) })
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) })
  }
})
