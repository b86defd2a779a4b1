// A search box that narrows a long <select> (e.g. 343 sites "乡镇 / 村"): typing hides the options
// that do not contain the text and shows the matches as a list to click. Without JavaScript the box
// stays hidden and the plain select still works.
for (const input of document.querySelectorAll('input[data-filter-select]')) {
  const select = document.getElementById(input.dataset.filterSelect)
  if (!select) continue
  const count = document.getElementById(`${select.id}-count`)
  input.hidden = false

  const apply = () => {
    const term = input.value.trim().toLowerCase()
    let matches = 0
    let first = null
    for (const option of select.options) {
      if (option.value === '') {
        option.hidden = term !== ''
        continue
      }
      const visible = term === '' || option.text.toLowerCase().includes(term)
      option.hidden = !visible
      if (visible) {
        matches++
        first ??= option
      }
    }
    select.size = term === '' ? 0 : Math.max(2, Math.min(matches, 8))
    if (term !== '' && select.selectedOptions[0]?.hidden && first) {
      first.selected = true
      select.dispatchEvent(new Event('change', { bubbles: true }))
    }
    if (count) {
      count.textContent = term === '' ? '' : input.dataset.countText.replace('{count}', matches)
    }
  }

  input.addEventListener('input', apply)
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      select.focus()
    }
  })
}
