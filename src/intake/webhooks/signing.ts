// Web Crypto only (no node:crypto): these routes are part of the app that also runs on Workers.

const encoder = new TextEncoder()

const asBytes = (value: string | Uint8Array) => (typeof value === 'string' ? encoder.encode(value) : value)

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) return null
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

async function hmacKey(secret: string) {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
}

/**
 * True when `signatureHex` is HMAC-SHA256(secret, parts joined as bytes). subtle.verify compares
 * in constant time, so the answer's timing says nothing about how close a forgery came.
 */
export async function verifyHmacHex(secret: string, parts: (string | Uint8Array)[], signatureHex: string): Promise<boolean> {
  const signature = hexToBytes(signatureHex)
  if (!signature || signature.byteLength !== 32) return false
  return crypto.subtle.verify('HMAC', await hmacKey(secret), signature, concat(parts.map(asBytes)))
}

/** Hex HMAC-SHA256, for tests and for senders written in this codebase (e.g. a relay). */
export async function signHmacHex(secret: string, parts: (string | Uint8Array)[]): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), concat(parts.map(asBytes))))
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Constant-time equality of two secrets of any length: both are hashed first, so neither the
 * length nor the first differing byte of the expected value shows in the timing.
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all(
    [given, expected].map(async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)))),
  )
  let diff = 0
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!
  return diff === 0
}

/** Unix seconds within `toleranceSeconds` of now (either direction: clocks drift both ways). */
export function isFresh(unixSeconds: string | undefined, toleranceSeconds = 300, now = Date.now()): boolean {
  if (!unixSeconds || !/^\d{1,12}$/.test(unixSeconds)) return false
  return Math.abs(now / 1000 - Number(unixSeconds)) <= toleranceSeconds
}
