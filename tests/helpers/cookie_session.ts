import env from '#start/env'

export interface PlainResponse {
  status: number
  location: string | null
  header(name: string): string | null
  text: string
}

/**
 * A client that keeps its cookies like a browser (plain fetch against the
 * test server, outside the api client's session plugin): log in through the
 * real form, then replay the same cookie — a copy of it is what a thief holds.
 */
export class CookieSession {
  cookies = new Map<string, string>()

  constructor(protected ip = '127.0.0.1') {}

  /** A frozen copy of this browser's cookies. */
  copy() {
    const other = new CookieSession(this.ip)
    other.cookies = new Map(this.cookies)
    return other
  }

  protected async send(method: string, url: string, body?: URLSearchParams, referer?: string) {
    const response = await fetch(`http://${env.get('HOST')}:${env.get('PORT')}${url}`, {
      method,
      redirect: 'manual',
      body,
      headers: {
        'cookie': [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        'x-forwarded-for': this.ip,
        'user-agent': `CookieSession/${this.ip}`,
        ...(referer ? { referer } : {}),
      },
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const index = pair.indexOf('=')
      const name = pair.slice(0, index)
      const value = pair.slice(index + 1)
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await response.text()
    return {
      status: response.status,
      location: response.headers.get('location'),
      header: (name: string) => response.headers.get(name),
      text,
    } satisfies PlainResponse
  }

  get(url: string) {
    return this.send('GET', url)
  }

  async locationOf(url: string) {
    const response = await this.get(url)
    return response.location
  }

  async statusOf(url: string) {
    const response = await this.get(url)
    return response.status
  }

  /** Posts a form with the CSRF token read from a page of this session. */
  async post(url: string, form: Record<string, string> = {}, tokenFrom = '/') {
    const page = await this.get(tokenFrom)
    const token = /name='_csrf' value='([^']+)'/.exec(page.text)?.[1] ?? ''
    return this.send('POST', url, new URLSearchParams({ ...form, _csrf: token }), tokenFrom)
  }

  /** Logs in through the login form (the password step). */
  login(username: string, password: string) {
    return this.post('/login', { username, password }, '/login')
  }
}
