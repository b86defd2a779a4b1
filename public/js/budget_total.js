// Running total of the proposal's budget table: quantity × unit price per line, summed in fen
// (BigInt, no float rounding), shown while the applicant types. The server recomputes on save.
;(function () {
  const table = document.getElementById('budget-items')
  const total = document.getElementById('budget-total')
  const note = document.getElementById('budget-total-note')
  if (!table || !total) return

  const fold = (text) =>
    String(text || '')
      .trim()
      .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
      .replace(/．/g, '.')
      .replace(/，/g, ',')

  function quantityOf(text) {
    const value = fold(text)
    return /^\d{1,7}$/.test(value) && Number(value) > 0 ? BigInt(value) : null
  }

  function fenOf(text) {
    const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(fold(text))
    if (!match) return null
    return BigInt(match[1].replaceAll(',', '')) * 100n + BigInt((match[2] || '').padEnd(2, '0'))
  }

  function format(fen) {
    const yuan = (fen / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    return yuan + '.' + (fen % 100n).toString().padStart(2, '0')
  }

  function update() {
    let sum = 0n
    let unreadable = 0
    for (const row of table.tBodies[0].rows) {
      const quantity = row.querySelector('input[name$="[quantity]"]')
      const price = row.querySelector('input[name$="[unitPrice]"]')
      const cell = row.querySelector('[data-line-amount]')
      if (!quantity || !price || !cell) continue
      if (quantity.value.trim() === '' && price.value.trim() === '') {
        cell.textContent = '—'
        continue
      }
      const q = quantityOf(quantity.value)
      const p = fenOf(price.value)
      if (q === null || p === null) {
        cell.textContent = '?'
        unreadable++
        continue
      }
      cell.textContent = format(q * p)
      sum += q * p
    }
    total.textContent = format(sum)
    if (note) {
      note.hidden = unreadable === 0
      note.textContent = total.dataset.invalidText.replace('{count}', String(unreadable))
    }
  }

  table.addEventListener('input', update)
  update()
})()
