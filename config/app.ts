import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'
import { parseTrustProxy } from '#identity/trust_proxy'

export const appUrl = env.get('APP_URL')

/** Name printed on pages and reports; overridable per deployment. */
export const bureauName = env.get('BUREAU_NAME', '县数据资源管理局')

/** Issuer prefix of document numbers on generated PDFs (数资评〔2026〕12号). */
export const documentPrefix = env.get('DOCUMENT_PREFIX', '数资')

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  /** "a,b" typed into a search box stays one string; long budget tables stay arrays. */
  qs: { parse: { comma: false, arrayLimit: 500 } },
  /**
   * TRUST_PROXY: behind a reverse proxy list it (address, CIDR, `loopback`,
   * or a hop count), so login throttling and the audit log see the client's
   * address rather than the proxy's. Nobody is trusted by default.
   */
  trustProxy: parseTrustProxy(env.get('TRUST_PROXY')),
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
