import { AssertionError } from 'node:assert'
import type { ApiResponse } from '@japa/api-client'

/** Asserts that a page does not contain a text (the api client only has the positive form). */
export function assertNotIncludes(response: ApiResponse, text: string) {
  if (response.text().includes(text)) {
    throw new AssertionError({ message: `expected the page not to include "${text}"` })
  }
}
