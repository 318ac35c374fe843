// How each helpdesk proves a post is its own, as each documents it. Web Crypto only: these run
// in the app that also serves Workers. subtle.verify compares in constant time; a shared secret
// sent as it is (Freshdesk) is compared with sameSecret, which hides its length too.
import { signedPrefix } from '../webhooks/raw.ts'
import { isFresh, sameSecret, verifyHmacHex } from '../webhooks/signing.ts'
import type { Provider } from './terms.ts'

const encoder = new TextEncoder()

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

function decode(text: string, encoding: 'base64' | 'hex'): Uint8Array<ArrayBuffer> | null {
  if (encoding === 'hex') {
    if (!/^(?:[0-9a-f]{2})+$/i.test(text)) return null
    return Uint8Array.from(text.match(/../g)!, (h) => parseInt(h, 16))
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

/** True when `signature` is HMAC(secret, parts) with that hash, in that encoding. */
async function verifyHmac(
  hash: 'SHA-1' | 'SHA-256',
  secret: string,
  parts: Uint8Array[],
  signature: string,
  encoding: 'base64' | 'hex',
): Promise<boolean> {
  const mac = decode(signature.trim(), encoding)
  if (!mac || mac.byteLength !== (hash === 'SHA-1' ? 20 : 32)) return false
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, ['verify'])
  return crypto.subtle.verify('HMAC', key, mac, concat(parts))
}

/** The request as a check needs it: its headers, the path and query it was sent to, its body. */
export type SignedRequest = { header: (name: string) => string | undefined; target: string; body: Uint8Array }

export type Verdict = { ok: true } | { ok: false; reason: string }
const refuse = (reason: string): Verdict => ({ ok: false, reason })
const ok: Verdict = { ok: true }

/** Freshdesk signs nothing: the automation rule sends the secret in a header, or as a basic-auth password. */
async function freshdeskSecret(req: SignedRequest): Promise<string | null> {
  const token = req.header('x-desk-token')
  if (token) return token
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.header('authorization') ?? '')
  if (!basic) return null
  const decoded = new TextDecoder().decode(decode(basic[1]!, 'base64') ?? new Uint8Array())
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : null
}

/** Checks the post against the connection's secret, per provider; the reason is one line for a 401. */
export async function verifyTicketPost(provider: Provider, secret: string, req: SignedRequest): Promise<Verdict> {
  switch (provider) {
    case 'zendesk': {
      // base64(HMAC-SHA256(timestamp + body)); the timestamp is an ISO 8601 time.
      const signature = req.header('x-zendesk-webhook-signature')
      const timestamp = req.header('x-zendesk-webhook-signature-timestamp')
      if (!signature || !timestamp) return refuse('X-Zendesk-Webhook-Signature and X-Zendesk-Webhook-Signature-Timestamp are required.')
      const seconds = Date.parse(timestamp)
      if (!Number.isFinite(seconds) || !isFresh(String(Math.floor(seconds / 1000))))
        return refuse('X-Zendesk-Webhook-Signature-Timestamp is more than 5 minutes from now.')
      const valid = await verifyHmac('SHA-256', secret, [encoder.encode(timestamp), req.body], signature, 'base64')
      return valid ? ok : refuse('The Zendesk signature does not match the body.')
    }
    case 'helpscout': {
      const signature = req.header('x-helpscout-signature')
      if (!signature) return refuse('X-HelpScout-Signature is required.')
      return (await verifyHmac('SHA-1', secret, [req.body], signature, 'base64'))
        ? ok
        : refuse('The Help Scout signature does not match the body.')
    }
    case 'intercom': {
      const match = /^sha1=([0-9a-f]{40})$/i.exec(req.header('x-hub-signature')?.trim() ?? '')
      if (!match) return refuse('X-Hub-Signature: sha1=<hex> is required.')
      return (await verifyHmac('SHA-1', secret, [req.body], match[1]!, 'hex'))
        ? ok
        : refuse('The Intercom signature does not match the body.')
    }
    case 'freshdesk': {
      const given = await freshdeskSecret(req)
      if (!given) return refuse('Send the secret as X-Desk-Token or as the basic-auth password.')
      return (await sameSecret(given, secret)) ? ok : refuse('The secret does not match.')
    }
    case 'generic': {
      // As POST /inbound/raw's v2 signature (README, "Signing POST /inbound/raw"), keyed with this connection's secret.
      const timestamp = req.header('x-desk-timestamp')
      const match = /^v2=([0-9a-f]{64})$/i.exec(req.header('x-desk-signature')?.trim() ?? '')
      if (!timestamp || !match) return refuse('X-Desk-Timestamp and X-Desk-Signature: v2=<hex> are required.')
      if (!isFresh(timestamp)) return refuse('X-Desk-Timestamp is more than 5 minutes from now.')
      const valid = await verifyHmacHex(secret, [signedPrefix('v2', timestamp, req.target), req.body], match[1]!)
      return valid ? ok : refuse('The signature does not match the body.')
    }
  }
}
