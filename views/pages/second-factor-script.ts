// The passkey buttons' script, inlined with the page's CSP nonce (only the second-factor page needs
// it). A button[data-passkey] fetches its options, asks the browser for the passkey, and submits
// the answer as JSON in its form's `response` field: the server verifies it (src/auth/second-factor-passkeys.ts).
export const passkeyScript = `
;(function () {
  'use strict'
  function toBuffer(text) {
    var s = text.replace(/-/g, '+').replace(/_/g, '/')
    while (s.length % 4) s += '='
    var bin = atob(s), bytes = new Uint8Array(bin.length)
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
    return bytes.buffer
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer), s = ''
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i])
    return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')
  }
  function publicKey(options) {
    options.challenge = toBuffer(options.challenge)
    if (options.user) options.user.id = toBuffer(options.user.id)
    ;(options.excludeCredentials || []).concat(options.allowCredentials || []).forEach(function (c) { c.id = toBuffer(c.id) })
    return options
  }
  function answer(credential) {
    var r = credential.response
    var out = { id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(), response: { clientDataJSON: toText(r.clientDataJSON) } }
    if (credential.authenticatorAttachment) out.authenticatorAttachment = credential.authenticatorAttachment
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject)
      if (r.getTransports) out.response.transports = r.getTransports()
    } else {
      out.response.authenticatorData = toText(r.authenticatorData)
      out.response.signature = toText(r.signature)
      if (r.userHandle) out.response.userHandle = toText(r.userHandle)
    }
    return out
  }
  document.querySelectorAll('button[data-passkey]').forEach(function (button) {
    var form = button.form
    var status = document.getElementById(button.getAttribute('data-status'))
    if (!window.PublicKeyCredential) {
      button.disabled = true
      if (status) status.textContent = 'This browser cannot use passkeys.'
      return
    }
    button.addEventListener('click', function () {
      button.disabled = true
      fetch(button.getAttribute('data-options'), { method: 'POST', credentials: 'same-origin' })
        .then(function (res) { if (!res.ok) throw new Error('the desk refused (' + res.status + ')'); return res.json() })
        .then(function (options) {
          var key = { publicKey: publicKey(options) }
          return button.getAttribute('data-passkey') === 'register' ? navigator.credentials.create(key) : navigator.credentials.get(key)
        })
        .then(function (credential) {
          form.elements.response.value = JSON.stringify(answer(credential))
          form.submit()
        })
        .catch(function (error) {
          button.disabled = false
          if (status) status.textContent = 'No passkey was used: ' + (error && error.message ? error.message : error)
        })
    })
  })
})()
`
