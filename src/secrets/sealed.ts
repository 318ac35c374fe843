// Integration secrets at rest (Slack and Teams URLs and tokens, helpdesk and webhook signing
// secrets): AES-256-GCM with a key from SECRETS_KEY, or one generated once and kept in
// app_secrets (owner only) when it is unset. The org id is the additional data, so a sealed value
// copied into another organization's row does not open. Web Crypto only: it runs on Node,
// Workers and Vercel alike.
import type { Db } from '../db.ts'
import type { Env } from '../env.ts'
import { readOrCreateSecret } from '../owner-queries.ts'

const VERSION = 'v1'
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const keys = new WeakMap<Db, Promise<CryptoKey>>()

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw as BufferSource, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
}

/** SECRETS_KEY when set; else the generated key, read once per database handle. */
function sealingKey(db: Db, env: Pick<Env, 'SECRETS_KEY'>): Promise<CryptoKey> {
  if (env.SECRETS_KEY) return importKey(fromBase64(env.SECRETS_KEY))
  let key = keys.get(db)
  if (!key) {
    const generated = toBase64(crypto.getRandomValues(new Uint8Array(32)))
    key = readOrCreateSecret(db, 'secrets_key', generated).then((value) => importKey(fromBase64(value)))
    key.catch(() => keys.delete(db)) // a database hiccup must not poison the cache
    keys.set(db, key)
  }
  return key
}

/** "v1:<iv>:<ciphertext>" (base64), bound to the organization. */
export async function sealSecret(db: Db, env: Pick<Env, 'SECRETS_KEY'>, orgId: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const key = await sealingKey(db, env)
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(orgId) }, key, encoder.encode(plaintext))
  return `${VERSION}:${toBase64(iv)}:${toBase64(new Uint8Array(sealed))}`
}

export class UnsealError extends Error {
  constructor() {
    super(
      'A stored secret could not be opened: SECRETS_KEY differs from the key it was sealed with. Set the original key, or enter the secret again in Settings.',
    )
    this.name = 'UnsealError'
  }
}

/** The plaintext, or UnsealError when the key (or the organization) is not the one it was sealed with. */
export async function openSecret(db: Db, env: Pick<Env, 'SECRETS_KEY'>, orgId: string, sealed: string): Promise<string> {
  const [version, iv, body] = sealed.split(':')
  if (version !== VERSION || !iv || !body) throw new UnsealError()
  const key = await sealingKey(db, env)
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(orgId) },
      key,
      fromBase64(body),
    )
    return decoder.decode(plain)
  } catch {
    throw new UnsealError()
  }
}

/** What settings pages show of a stored secret: never the value, only that one is set and its end. */
export function secretHint(plaintext: string): string {
  return plaintext.length > 12 ? `set, ending …${plaintext.slice(-4)}` : 'set'
}
