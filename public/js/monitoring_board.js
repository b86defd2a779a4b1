// Status board auto-refresh: fetches /monitoring/board.json every N seconds and
// updates cells, counts and the down list in place (no page reload, no inline script).
;(() => {
  const board = document.getElementById('board')
  if (!board) return
  const url = board.dataset.boardUrl
  const every = Math.max(5, Number(board.dataset.refreshSeconds) || 15) * 1000
  const problem = document.getElementById('board-problem')
  const statuses = ['up', 'down', 'unknown', 'disabled']

  const setText = (selector, value) => {
    const node = board.querySelector(selector)
    if (node) node.textContent = String(value)
  }

  function apply(data) {
    for (const device of data.devices) {
      const cell = board.querySelector(`[data-device="${device.id}"]`)
      if (!cell) continue
      for (const status of statuses) cell.classList.toggle(`mon-${status}`, status === device.status)
      cell.classList.toggle('mon-maint', device.maintenance)
      cell.title = device.title
    }
    for (const key of Object.keys(data.counts)) setText(`[data-total="${key}"]`, data.counts[key])
    for (const group of data.groups) {
      for (const status of statuses) setText(`[data-count="${group.key}:${status}"]`, group.counts[status])
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
    setText('#board-updated', data.updatedText)
    if (problem) problem.textContent = ''
  }

  let stopped = false
  async function refresh() {
    if (stopped) return
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json', 'x-shuzhi-background': '1' },
        credentials: 'same-origin',
        cache: 'no-store',
      })
      if (response.status === 401 || response.status === 403 || response.redirected) {
        stopped = true
        if (problem) problem.textContent = board.dataset.sessionExpired
        return
      }
      if (!response.ok) throw new Error(String(response.status))
      apply(await response.json())
    } catch {
      if (problem) problem.textContent = board.dataset.refreshFailed
    }
    if (!stopped) setTimeout(refresh, every)
  }
  setTimeout(refresh, every)
})()
