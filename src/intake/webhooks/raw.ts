// node:crypto for a MAC computed while the body streams in (Web Crypto has no incremental HMAC);
// on Workers nodejs_compat provides it, as it does intake's sha256.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { Hono } from 'hono'
import type { AppEnv } from '../../http/app-env.ts'
import { AppError } from '../../http/errors.ts'
import { readInboundBody } from './common.ts'
import { receiveMail, publicOutcome } from './receive.ts'
import { oncePerDelivery } from './deliveries.ts'
import { isFresh } from './signing.ts'

/**
 * `POST /inbound/raw[?org=SLUG]`: raw MIME signed with INBOUND_SECRET (the README, "Signing
 * POST /inbound/raw", has a worked example): the generic way in, for relays and scripts.
 *
 * - `X-Desk-Signature: v2=<hex>`: HMAC-SHA256 of `v2.<timestamp>.<path and query>\n<body>`, so
 *   the target (`?org=`) cannot be swapped either. A URL never holds a raw line break, so the
 *   `\n` ends the target unambiguously.
 * - `X-Desk-Signature: sha256=<hex>`: the first version, HMAC-SHA256 of `<timestamp>.<body>`;
 *   accepted only without a query, since it does not cover one.
 *
 * Everything that can be checked before the body is read is: the signature's form, the
 * timestamp (5 minutes either way) and Content-Length. Each signature is a delivery, used once:
 * a replay is answered from the first outcome and stores nothing.
 */
export const rawRoutes = new Hono<AppEnv>()

// How long a replay of a delivery that is still being processed waits for its outcome.
const REPLAY_WAIT_MS = 10_000

type Signature = { version: 'v2' | 'sha256'; mac: Buffer }

function parseSignature(header: string | undefined): Signature | null {
  const match = /^(v2|sha256)=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')
  return match ? { version: match[1]!.toLowerCase() as Signature['version'], mac: Buffer.from(match[2]!, 'hex') } : null
}

/** What the signature covers ahead of the body: the version's prefix, the timestamp and (v2) the target. */
export function signedPrefix(version: Signature['version'], timestamp: string, target: string): string {
  return version === 'v2' ? `v2.${timestamp}.${target}\n` : `${timestamp}.`
}

rawRoutes.post('/', async (c) => {
  const { db, env, analyze } = c.get('deps')
  // Never accept unsigned mail: without a secret the endpoint is closed, and says why.
  if (!env.INBOUND_SECRET) throw new AppError('UNAVAILABLE', 'POST /inbound/raw is not configured: set INBOUND_SECRET.')

  const timestamp = c.req.header('x-desk-timestamp')
  const signature = parseSignature(c.req.header('x-desk-signature'))
  if (!timestamp || !signature) throw new AppError('UNAUTHORIZED', 'X-Desk-Timestamp and X-Desk-Signature: v2=<hex> are required.')
  if (!isFresh(timestamp)) throw new AppError('UNAUTHORIZED', 'X-Desk-Timestamp is more than 5 minutes from now.')
  const url = new URL(c.req.url)
  if (signature.version === 'sha256' && url.search) {
    throw new AppError('UNAUTHORIZED', 'A sha256= signature does not cover the query string: sign with v2= (see the README).')
  }

  const mac = createHmac('sha256', env.INBOUND_SECRET).update(signedPrefix(signature.version, timestamp, url.pathname + url.search))
  const raw = await readInboundBody(c, env.MAX_MESSAGE_BYTES, {
    onChunk: (chunk) => mac.update(chunk),
    verify: () => {
      if (!timingSafeEqual(mac.digest(), signature.mac)) throw new AppError('UNAUTHORIZED', 'The signature does not match the body.')
    },
  })
  if (raw.byteLength === 0) throw new AppError('BAD_INPUT', 'The body is empty; expected a raw email message.')

  const deliveryId = `${signature.version}=${signature.mac.toString('hex')}`
  const outcome = await oncePerDelivery(
    db,
    { provider: 'raw', deliveryId },
    () => receiveMail(db, { orgSlug: c.req.query('org'), raw, provider: 'raw', analyze, env }),
    { waitMs: REPLAY_WAIT_MS },
  )
  return c.json(publicOutcome(outcome), 200)
})
