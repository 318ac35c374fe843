// Slack's request signing: X-Slack-Signature is "v0=" and the hex HMAC-SHA256, keyed with the
// app's signing secret, of "v0:<X-Slack-Request-Timestamp>:<raw body>". A timestamp more than five
// minutes off is refused (a captured request cannot be replayed later); the MAC is compared in
// constant time (crypto.subtle.verify).
import { isFresh, signHmacHex, verifyHmacHex } from '../../intake/webhooks/signing.ts'

export const SLACK_TOLERANCE_SECONDS = 300

export async function verifySlackSignature(
  signingSecret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Uint8Array,
  now = Date.now(),
): Promise<boolean> {
  if (!isFresh(headers.timestamp, SLACK_TOLERANCE_SECONDS, now)) return false
  const match = /^v0=([0-9a-f]{64})$/.exec(headers.signature?.trim() ?? '')
  if (!match) return false
  return verifyHmacHex(signingSecret, [`v0:${headers.timestamp}:`, body], match[1]!)
}

/** The headers Slack would send with this body (tests, and a relay written in this codebase). */
export async function signSlackRequest(signingSecret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const mac = await signHmacHex(signingSecret, [`v0:${timestamp}:`, body])
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${mac}` }
}
