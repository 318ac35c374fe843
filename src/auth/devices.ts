import type { CookieOptions } from 'hono/utils/cookie'
import type { Db } from '../db.ts'
import { isKnownSignInDevice, moveSignInDevice, rememberSignInDevice } from '../owner-queries.ts'
import { randomToken, sha256Hex } from './crypto.ts'

// A browser that has signed in as an address carries a random device token. It grants nothing
// by itself: it only lets that browser's sign-in requests for that address past the
// per-address mail budget (with a small budget of its own), so someone asking for the owner's
// links again and again cannot keep the owner from getting a fresh one. The database keeps the
// token's SHA-256, as for sessions.

export const DEVICE_COOKIE = 'desk_device'
export const DEVICE_SECONDS = 90 * 24 * 60 * 60
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

/** HttpOnly, Secure, SameSite=Lax, and sent only to the sign-in pages. */
export function deviceCookieOptions(): CookieOptions {
  return { httpOnly: true, secure: true, sameSite: 'Lax', path: '/sign-in', maxAge: DEVICE_SECONDS }
}

/**
 * After a sign-in: a new device token for the browser, known for this address and for every
 * address its previous token was. New each time, so a copy of an older token (or one planted in
 * the browser by someone else) stops counting.
 */
export async function rememberDevice(db: Db, presented: string | undefined, email: string): Promise<string> {
  const token = randomToken(32)
  const tokenHash = await sha256Hex(token)
  if (presented && TOKEN_SHAPE.test(presented)) await moveSignInDevice(db, await sha256Hex(presented), tokenHash)
  await rememberSignInDevice(db, tokenHash, await sha256Hex(email.toLowerCase()))
  return token
}

/** The hash of the browser's device token when it signed in as this address lately, else null. */
export async function knownDeviceHash(db: Db, presented: string | undefined, email: string): Promise<string | null> {
  if (!presented || !TOKEN_SHAPE.test(presented)) return null
  const tokenHash = await sha256Hex(presented)
  return (await isKnownSignInDevice(db, tokenHash, await sha256Hex(email.toLowerCase()), DEVICE_SECONDS)) ? tokenHash : null
}
