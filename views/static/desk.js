// Escalation Desk browser script: live SLA countdowns, one effect per form submission, and the
// queue's keyboard and density controls. Served from /static with the page's CSP nonce; no inline
// handlers. Swapped-in rows (htmx polling) are picked up on the next tick.
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

  // --- One submission, one effect (src/http/idempotency.ts) ---------------------------------
  // Every state-changing request carries a key: htmx requests as the Idempotency-Key header,
  // plain forms as ?_submission= on their action. The same form sent again with the same
  // values within SAME_SUBMISSION_MS (a double click, a retry, a back-button resubmit, even
  // after a reload) carries the same key, so the server answers it with the first answer and
  // does nothing twice. Changed values are a new submission with a new key, and so is an htmx
  // form sent again after its answer came. Buttons are also disabled while a request is on its
  // way.
  var SAME_SUBMISSION_MS = 2 * 60 * 1000
  var STORE = 'desk:submissions'
  function randomKey() {
    var bytes = new Uint8Array(18)
    crypto.getRandomValues(bytes)
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_')
  }
  function hash(text) {
    var h = 2166136261
    for (var i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
    return (h >>> 0).toString(36) + ':' + text.length
  }
  function describe(entries) {
    var parts = []
    for (var i = 0; i < entries.length; i++) {
      var name = entries[i][0]
      var value = entries[i][1]
      if (name === '_submission') continue
      parts.push(name + '=' + (typeof value === 'string' ? value : 'file:' + value.name + ':' + value.size))
    }
    return parts.join('&')
  }
  function entriesOf(body) {
    var list = []
    if (body && typeof body.forEach === 'function') {
      body.forEach(function (value, name) {
        list.push([name, value])
      })
    }
    return list
  }
  var memory = {}
  function remembered() {
    try {
      return JSON.parse(sessionStorage.getItem(STORE) || '{}')
    } catch (e) {
      return memory
    }
  }
  function submissionId(method, action, entries) {
    return hash(method + ' ' + action + '\n' + describe(entries))
  }
  function saveRemembered(all) {
    try {
      sessionStorage.setItem(STORE, JSON.stringify(all))
    } catch (e) {
      memory = all
    }
  }
  /** After an answer: the same values sent again from now on are a new submission. */
  function forgetSubmission(id) {
    var all = remembered()
    if (!all[id]) return
    delete all[id]
    saveRemembered(all)
  }
  /** The key for this submission: the one it had before if it is the same, else a fresh one. */
  function submissionKey(method, action, entries) {
    var id = submissionId(method, action, entries)
    var now = Date.now()
    var all = remembered()
    for (var k in all) if (now - all[k].at > SAME_SUBMISSION_MS) delete all[k]
    var entry = all[id]
    if (!entry) entry = all[id] = { key: randomKey(), at: now }
    saveRemembered(all)
    return entry.key
  }
  function pathOf(url) {
    var u = new URL(url, location.href)
    return u.pathname + u.search
  }
  function buttonsOf(elt) {
    var form = elt.tagName === 'FORM' ? elt : elt.form || elt.closest('form')
    if (!form) return elt.matches('button, input[type=submit]') ? [elt] : []
    return Array.prototype.slice.call(form.querySelectorAll('button:not([type=button]), input[type=submit]'))
  }
  function busy(buttons) {
    var held = []
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].disabled) continue
      buttons[i].disabled = true
      buttons[i].setAttribute('aria-busy', 'true')
      held.push(buttons[i])
    }
    return held
  }
  function release(held) {
    for (var i = 0; i < (held || []).length; i++) {
      held[i].disabled = false
      held[i].removeAttribute('aria-busy')
    }
  }

  document.addEventListener('htmx:config:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    if (!ctx || !ctx.request || /^(GET|HEAD)$/i.test(ctx.request.method || 'GET')) return
    var action = pathOf(ctx.request.action)
    var entries = entriesOf(ctx.request.body)
    ctx.request.headers['Idempotency-Key'] = submissionKey(ctx.request.method, action, entries)
    ctx.deskSubmission = submissionId(ctx.request.method, action, entries)
  })
  // An htmx form stays on the page: once its post is answered (a second click queued meanwhile
  // already carries the key), the same values sent later, say moving a case back to a status it
  // had, are a new action. A request that got no answer keeps its key for the retry.
  document.addEventListener('htmx:after:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    if (ctx && ctx.deskSubmission && ctx.response && ctx.response.status < 400) forgetSubmission(ctx.deskSubmission)
  })
  document.addEventListener('htmx:before:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    if (!ctx || !ctx.sourceElement || /^(GET|HEAD)$/i.test(ctx.request.method || 'GET')) return
    ctx.deskHeld = busy(buttonsOf(ctx.sourceElement))
  })
  document.addEventListener('htmx:finally:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    if (ctx) release(ctx.deskHeld)
  })

  // Plain forms (no htmx): the key goes on the action, which the browser posts to.
  var heldByForm = []
  document.addEventListener('submit', function (evt) {
    var form = evt.target
    if (evt.defaultPrevented || !(form instanceof HTMLFormElement)) return
    var submitter = evt.submitter || null
    var method = ((submitter && submitter.getAttribute('formmethod')) || form.getAttribute('method') || 'get').toUpperCase()
    if (method !== 'POST') return
    var owner = submitter && submitter.hasAttribute('formaction') ? submitter : form
    var attr = owner === form ? 'action' : 'formaction'
    var url = new URL(owner.getAttribute(attr) || location.href, location.href)
    url.searchParams.delete('_submission')
    var data
    try {
      data = new FormData(form, submitter)
    } catch (e) {
      data = new FormData(form)
    }
    var entries = entriesOf(data)
    url.searchParams.set('_submission', submissionKey(method, url.pathname + url.search, entries))
    // Keep the action's #fragment: the answer page scrolls to it (the approval page's #decision).
    owner.setAttribute(attr, url.pathname + url.search + url.hash)
    // After the browser has read the form (a disabled submitter would not be sent).
    setTimeout(function () {
      heldByForm = heldByForm.concat(busy(buttonsOf(form)))
    }, 0)
    // A post that does not leave the page (a download) gives the buttons back.
    setTimeout(function () {
      release(heldByForm)
      heldByForm = []
    }, 10000)
  })
  // --- The queue: keys and row density (views/pages/queue.tsx) ------------------------------
  // j/k move between rows (the row's case link takes the focus, so Enter opens it and a screen
  // reader says where you are), / goes to the search box. Not while typing in a field, and not
  // with a modifier held (the browser's own shortcuts).
  var DENSITY = 'desk:queue-density'
  function queueRows() {
    return Array.prototype.slice.call(document.querySelectorAll('table.queue tbody tr'))
  }
  function moveInQueue(step) {
    var rows = queueRows()
    if (!rows.length) return
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest('table.queue tbody tr') : null
    // Back from the search box, the marked row is where j/k carry on from.
    var current = focused || document.querySelector('table.queue tbody tr.current')
    var index = current ? rows.indexOf(current) + step : step > 0 ? 0 : rows.length - 1
    var row = rows[Math.max(0, Math.min(rows.length - 1, index))]
    var link = row.querySelector('a[href]')
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle('current', rows[i] === row)
    if (link) link.focus()
    row.scrollIntoView({ block: 'nearest' })
  }
  document.addEventListener('keydown', function (evt) {
    if (evt.ctrlKey || evt.metaKey || evt.altKey || !document.querySelector('table.queue, #queue-body')) return
    var t = evt.target
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      if (evt.key === 'Escape' && t.id === 'queue-search') t.blur()
      return
    }
    if (evt.key === 'j' || evt.key === 'k') {
      evt.preventDefault()
      moveInQueue(evt.key === 'j' ? 1 : -1)
    } else if (evt.key === '/') {
      var search = document.getElementById('queue-search')
      if (search) {
        evt.preventDefault()
        search.focus()
        search.select()
      }
    }
  })
  // The row that had the focus keeps its mark when the rows are refreshed (every 15 s).
  document.addEventListener('focusin', function (evt) {
    var row = evt.target && evt.target.closest ? evt.target.closest('table.queue tbody tr') : null
    if (!row) return
    var rows = queueRows()
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle('current', rows[i] === row)
  })
  function applyDensity(value) {
    document.documentElement.setAttribute('data-density', value === 'compact' ? 'compact' : 'comfortable')
  }
  function storedDensity() {
    try {
      return localStorage.getItem(DENSITY) || 'comfortable'
    } catch (e) {
      return 'comfortable'
    }
  }
  applyDensity(storedDensity())
  var tools = document.getElementById('queue-tools')
  var density = document.getElementById('queue-density')
  if (tools) tools.hidden = false
  if (density) {
    density.value = storedDensity()
    density.addEventListener('change', function () {
      applyDensity(density.value)
      try {
        localStorage.setItem(DENSITY, density.value)
      } catch (e) {}
    })
  }

  // Back to a page kept in the browser's cache: its buttons work again (the key stays the same).
  window.addEventListener('pageshow', function () {
    release(heldByForm)
    heldByForm = []
  })
})()
