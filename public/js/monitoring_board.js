// Status board auto-refresh: fetches /monitoring/board.json every N seconds and
// updates cells, counts and the down list in place (no page reload, no inline script).
// A refresh that is refused (logged out, redirected, server or network down) covers the
// whole board at once and marks the tab: a stale screen must never look like a green one.
;(() => {
  const board = document.getElementById('board')
  if (!board) return
  const url = board.dataset.boardUrl
  const every = Math.max(5, Number(board.dataset.refreshSeconds) || 15) * 1000
  const statuses = ['up', 'down', 'maintenance', 'unknown', 'disabled']
  const stale = document.getElementById('board-stale')
  const staleReason = document.getElementById('board-stale-reason')
  const staleSince = document.getElementById('board-stale-since')
  const title = document.title
  let lastGood = board.dataset.updatedTime || ''

  const setText = (selector, value) => {
    const node = board.querySelector(selector)
    if (node) node.textContent = String(value)
  }

  function apply(data) {
    for (const device of data.devices) {
      const cell = board.querySelector(`[data-device="${device.id}"]`)
      if (!cell) continue
      for (const status of statuses) cell.classList.toggle(`mon-${status}`, status === device.status)
      cell.title = device.title
    }
    for (const key of Object.keys(data.counts)) setText(`[data-total="${key}"]`, data.counts[key])
    for (const group of data.groups) {
      for (const status of statuses) {
        const badge = board.querySelector(`[data-count="${group.key}:${status}"]`)
        if (!badge) continue
        badge.textContent = String(group.counts[status])
        // a badge only says something when there is something to say (up stays as the total)
        badge.hidden = status !== 'up' && !group.counts[status]
      }
    }
    const list = document.getElementById('board-down')
    if (list) {
      const since = list.dataset.sinceLabel || '%s'
      list.replaceChildren(
        ...data.down.map((device) => {
          const item = document.createElement('li')
          const link = document.createElement('a')
          link.href = `/monitoring/devices/${device.id}`
          link.textContent = device.name
          const site = document.createElement('span')
          site.className = 'muted'
          site.textContent = ` ${device.site} `
          const when = document.createElement('span')
          when.className = 'muted small'
          when.textContent = `${device.since ? since.replace('%s', device.since) : ''} ${device.error || ''}`
          item.append(link, site, when)
          return item
        })
      )
      const none = document.getElementById('board-no-down')
      if (none) none.hidden = data.down.length > 0
    }
    const buffer = document.getElementById('board-buffer')
    if (buffer) {
      buffer.textContent = data.bufferNotice || ''
      buffer.hidden = !data.bufferNotice
    }
    setText('#board-updated', data.updatedText)
    lastGood = data.updatedTime || lastGood
  }

  /** kind: 'auth' (log in again), 'network' or 'server' (retrying by itself). */
  function showStale(kind) {
    if (!stale) return
    if (staleReason) staleReason.textContent = staleReason.dataset[kind] || ''
    if (staleSince) staleSince.textContent = (staleSince.dataset.template || '%s').replace('%s', lastGood)
    board.classList.add('mon-board-stale')
    board.setAttribute('aria-hidden', 'true')
    document.title = (board.dataset.staleTab || '') + title
    if (stale.hidden) {
      stale.hidden = false
      document.getElementById('board-stale-login')?.focus()
    }
  }

  function clearStale() {
    if (!stale || stale.hidden) return
    stale.hidden = true
    board.classList.remove('mon-board-stale')
    board.removeAttribute('aria-hidden')
    document.title = title
  }

  let stopped = false
  let timer = null
  let busy = false
  async function refresh() {
    if (stopped || busy) return
    busy = true
    clearTimeout(timer)
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json', 'x-shuzhi-background': '1' },
        credentials: 'same-origin',
        cache: 'no-store',
      })
      const json = (response.headers.get('content-type') || '').includes('application/json')
      if (response.status === 401 || response.status === 403 || response.redirected) {
        stopped = true
        showStale('auth')
        return
      }
      if (!response.ok || !json) {
        showStale('server')
      } else {
        apply(await response.json())
        clearStale()
      }
    } catch {
      showStale('network')
    } finally {
      busy = false
    }
    if (!stopped) timer = setTimeout(refresh, every)
  }
  timer = setTimeout(refresh, every)
  // back on the tab (timers may have been throttled meanwhile): check at once
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh()
  })
})()
