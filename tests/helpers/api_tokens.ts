import type { ApiAbility } from '#core/api_tokens/abilities'
import apiTokens from '#core/api_tokens/api_token_service'
import { createUser } from '#tests/helpers/identity'

/** Issues an API token with `abilities` as a fresh sysadmin would; returns the secret and client. */
export async function issueApiToken(
  abilities: ApiAbility[] = ['review:read'],
  options: { name?: string; expiresInDays?: number } = {}
) {
  const admin = await createUser({ roles: ['sysadmin'] })
  return apiTokens.create(
    { name: options.name ?? '测试对接', abilities, expiresInDays: options.expiresInDays },
    { actorId: admin.id, actorName: admin.username, ip: null }
  )
}
