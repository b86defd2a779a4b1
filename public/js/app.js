// Confirmation before destructive actions, and auto-submitting selects.
document.addEventListener('submit', (event) => {
  const form = event.target
  const message = form.getAttribute('data-confirm')
  if (message && !window.confirm(message)) event.preventDefault()
})
document.addEventListener('change', (event) => {
  if (event.target.matches('select[data-autosubmit]')) event.target.form.submit()
})
