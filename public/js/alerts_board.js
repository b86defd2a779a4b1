// Board alerts: fetches /monitoring/alerts/live.json every N seconds, shows the newest live
// alerts and a badge per town, and on a new alert at or above the chosen grade plays a short
// tone and flashes the tab title until the tab is looked at. Grade and mute are kept in
// localStorage. The first fetch only sets the baseline: nothing sounds for old alerts.
;(() => {
  const box = document.getElementById('board-alerts')
  if (!box) return
  const url = box.dataset.url
  const every = Math.max(5, Number(box.dataset.refreshSeconds) || 15) * 1000
  const gradeSelect = document.getElementById('alert-notify-grade')
  const mute = document.getElementById('alert-mute')
  const list = document.getElementById('board-alerts-list')
  const none = document.getElementById('board-alerts-none')
  const total = document.getElementById('board-alerts-total')
  const GRADE_KEY = 'shuzhi.alerts.notifyGrade'
  const MUTE_KEY = 'shuzhi.alerts.mute'
  let baseline = null
  let flashing = null
  let audio = null

  const stored = (key, fallback) => {
    try {
      return localStorage.getItem(key) ?? fallback
    } catch {
      return fallback
    }
  }
  const store = (key, value) => {
    try {
      localStorage.setItem(key, value)
    } catch {
      // private mode: the choice lasts for this page only
    }
  }
  gradeSelect.value = stored(GRADE_KEY, '3')
  mute.checked = stored(MUTE_KEY, '0') === '1'
  gradeSelect.addEventListener('change', () => {
    store(GRADE_KEY, gradeSelect.value)
    unlockAudio()
  })
  mute.addEventListener('change', () => {
    store(MUTE_KEY, mute.checked ? '1' : '0')
    unlockAudio()
  })
  // Browsers start audio only after a gesture on the page.
  document.addEventListener('click', unlockAudio, { once: true })

  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext
    if (!Context) return
    audio ??= new Context()
    if (audio.state === 'suspended') audio.resume()
  }

  function tone() {
    if (mute.checked) return
    unlockAudio()
    if (!audio) return
    const start = audio.currentTime
    for (const [offset, freq] of [
      [0, 880],
      [0.25, 660],
    ]) {
      const osc = audio.createOscillator()
      const gain = audio.createGain()
      osc.frequency.value = freq
      gain.gain.setValueAtTime(0.2, start + offset)
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.22)
      osc.connect(gain).connect(audio.destination)
      osc.start(start + offset)
      osc.stop(start + offset + 0.23)
    }
  }

  function flash(text) {
    if (flashing) return
    const original = document.title
    let on = false
    flashing = setInterval(() => {
      on = !on
      document.title = on ? text + original : original
    }, 1000)
    const stop = () => {
      if (document.visibilityState !== 'visible') return
      clearInterval(flashing)
      flashing = null
      document.title = original
      document.removeEventListener('visibilitychange', stop)
      window.removeEventListener('focus', stop)
    }
    // Looking at the tab stops it (after one blink, so a visible tab still shows something).
    setTimeout(() => {
      if (document.hasFocus()) stop()
      document.addEventListener('visibilitychange', stop)
      window.addEventListener('focus', stop)
    }, 3000)
  }

  function render(data) {
    box.hidden = false
    total.textContent = data.total ? `(${data.total})` : ''
    none.hidden = data.latest.length > 0
    list.replaceChildren(
      ...data.latest.map((alert) => {
        const item = document.createElement('li')
        const grade = document.createElement('span')
        grade.className = `al-grade al-grade-${alert.grade}`
        grade.textContent = alert.gradeLabel
        const link = document.createElement('a')
        link.href = `/monitoring/alerts/${alert.id}`
        link.textContent = ` ${alert.summary} `
        const meta = document.createElement('span')
        meta.className = 'muted small'
        meta.textContent = `${alert.site} · ${alert.state} · ${alert.at}`
        item.append(grade, link, meta)
        return item
      })
    )
    for (const badge of document.querySelectorAll('[data-alert-badge]')) badge.remove()
    for (const [key, group] of Object.entries(data.groups)) {
      const name = document.querySelector(`[data-group="${key}"] header b`)
      if (!name) continue
      const badge = document.createElement('a')
      badge.dataset.alertBadge = key
      badge.className = `al-badge al-grade-${group.worst}`
      badge.href = key === 'county' ? '/monitoring/alerts' : `/monitoring/alerts?siteId=${key}`
      badge.textContent = String(group.count)
      name.append(badge)
    }
    for (const cell of document.querySelectorAll('[data-device]')) {
      const worst = data.devices[cell.dataset.device]
      cell.classList.toggle('al-cell-alert', Boolean(worst))
    }
  }

  function notify(data) {
    if (baseline === null) {
      baseline = data.newestId
      return
    }
    const threshold = Number(gradeSelect.value)
    const fresh = data.latest.filter((alert) => alert.id > baseline)
    baseline = Math.max(baseline, data.newestId)
    if (!threshold || !fresh.some((alert) => alert.grade <= threshold)) return
    tone()
    flash(box.dataset.newTitle || '')
  }

  async function refresh() {
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        redirect: 'manual',
      })
      if (!response.ok) return
      const data = await response.json()
      render(data)
      notify(data)
    } catch {
      // the board's own refresh shows that the server is unreachable
    }
  }
  refresh()
  setInterval(refresh, every)
})()
