import app from '@adonisjs/core/services/app'
import BodyParserMiddleware from '@adonisjs/core/bodyparser_middleware'
import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/** No form or API of ours nests deeper; JSON nested deeper is refused. */
export const MAX_JSON_DEPTH = 32

/** A body that cannot be read: malformed or too deeply nested JSON, a broken multipart stream. */
export class BadRequestBodyException extends Exception {
  static status = 400
  static code = 'E_BAD_REQUEST_BODY'
}

/** True when `value` nests objects/arrays deeper than `max` (iterative: no recursion to overflow). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]]
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!
    if (typeof current !== 'object' || current === null) continue
    if (depth >= max) return true
    for (const child of Object.values(current)) stack.push([child, depth + 1])
  }
  return false
}

/**
 * The framework's body parser, with its failures turned into one plain
 * "bad request body" error (the exception handler answers it with a Chinese
 * 400): a JSON syntax error, a stack overflow on absurd nesting or a broken
 * multipart stream never reaches the debug page. "Too large" keeps its own
 * 413. Errors raised further down the chain pass through untouched.
 */
export default class RequestBodyMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const parser = await app.container.make(BodyParserMiddleware)
    let parsed = false
    try {
      return await parser.handle(ctx, async () => {
        parsed = true
        if (
          ctx.request.bodyType === 'json' &&
          nestsDeeperThan(ctx.request.body(), MAX_JSON_DEPTH)
        ) {
          throw new BadRequestBodyException('JSON nested too deeply')
        }
        return next()
      })
    } catch (error) {
      if (parsed || isTooLarge(error)) throw error
      throw new BadRequestBodyException('unreadable request body', { cause: error })
    }
  }
}

function isTooLarge(error: unknown) {
  return (error as { code?: string } | null)?.code === 'E_REQUEST_ENTITY_TOO_LARGE'
}
