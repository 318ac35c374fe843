// Escalation Desk browser script: live SLA countdowns. Served from /static with the page's CSP
// nonce; no inline handlers. Swapped-in rows (htmx polling) are picked up on the next tick.
;(function () {
  'use strict'
  function pad(n) {
    return String(n).padStart(2, '0')
  }
  function duration(ms) {
    var s = Math.floor(Math.abs(ms) / 1000)
    var d = Math.floor(s / 86400),
      h = Math.floor((s % 86400) / 3600),
      m = Math.floor((s % 3600) / 60)
    if (d > 0) return d + 'd ' + h + 'h'
    if (h > 0) return h + 'h ' + pad(m) + 'm'
    return m + 'm ' + pad(s % 60) + 's'
  }
  function tick() {
    var now = Date.now()
    var clocks = document.querySelectorAll('.countdown[data-due]')
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i]
      var due = Date.parse(el.getAttribute('data-due'))
      var risk = Date.parse(el.getAttribute('data-risk') || '')
      if (isNaN(due)) continue
      var left = due - now
      var tone = left < 0 ? 'breached' : !isNaN(risk) && risk <= now ? 'at_risk' : 'ok'
      var text = left >= 0 ? duration(left) + ' left' : 'breached ' + duration(left) + ' ago'
      var target = el.querySelector('.clock-text') || el
      if (target.textContent !== text) target.textContent = text
      el.classList.remove('ok', 'at_risk', 'breached')
      el.classList.add(tone)
      // The queue row's stripe follows its clock too (tr.at_risk / tr.breached).
      var row = el.closest('tr')
      if (row && row.classList.contains(tone) === false) {
        row.classList.remove('ok', 'at_risk', 'breached', 'none')
        row.classList.add(tone)
      }
    }
  }
  tick()
  setInterval(tick, 1000)
})()
