import { Hono } from 'hono'
import type { AppEnv } from '../../app.ts'
import { AppError } from '../../http/errors.ts'
import { readBodyLimited } from './body.ts'
import { deliver, publicOutcome } from './deliver.ts'
import { isFresh, verifyHmacHex } from './signing.ts'

/**
 * `POST /inbound/raw[?org=SLUG]`: raw MIME signed with INBOUND_SECRET (DESIGN.md, "Interfaces
 * others rely on"). The signature covers "<timestamp>.<body>", so neither can be swapped, and a
 * captured request stops working after 5 minutes; within them a replay is only a `duplicate`.
 */
export const rawRoutes = new Hono<AppEnv>()

rawRoutes.post('/', async (c) => {
  const { db, env } = c.get('deps')
  // Never accept unsigned mail: without a secret the endpoint is closed, and says why.
  if (!env.INBOUND_SECRET) throw new AppError('UNAVAILABLE', 'POST /inbound/raw is not configured: set INBOUND_SECRET.')

  const timestamp = c.req.header('x-desk-timestamp')
  const signature = /^sha256=([0-9a-f]{64})$/i.exec(c.req.header('x-desk-signature')?.trim() ?? '')?.[1]
  if (!timestamp || !signature) throw new AppError('UNAUTHORIZED', 'X-Desk-Timestamp and X-Desk-Signature: sha256=<hex> are required.')
  if (!isFresh(timestamp)) throw new AppError('UNAUTHORIZED', 'X-Desk-Timestamp is more than 5 minutes from now.')

  const raw = await readBodyLimited(c.req.raw, env.MAX_MESSAGE_BYTES)
  if (!(await verifyHmacHex(env.INBOUND_SECRET, [`${timestamp}.`, raw], signature))) {
    throw new AppError('UNAUTHORIZED', 'The signature does not match the body.')
  }
  if (raw.byteLength === 0) throw new AppError('BAD_INPUT', 'The body is empty; expected a raw email message.')

  const outcome = await deliver(db, { orgSlug: c.req.query('org'), raw, provider: 'raw' })
  return c.json(publicOutcome(outcome), 200)
})
