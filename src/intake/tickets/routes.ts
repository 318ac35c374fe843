import { Hono } from 'hono'
import { withOrg } from '../../db.ts'
import type { AppEnv } from '../../http/app-env.ts'
import { AppError } from '../../http/errors.ts'
import { findOrgBySlug } from '../../orgs/queries.ts'
import { openSecret, UnsealError } from '../../secrets/sealed.ts'
import { readInboundBody } from '../webhooks/common.ts'
import { getConnection } from './connections.ts'
import { openTicketCase } from './open-case.ts'
import { readTicket } from './payloads.ts'
import { verifyTicketPost } from './signatures.ts'
import { providerLabels, providers, type Provider } from './terms.ts'

/**
 * `POST /inbound/ticket?org=SLUG&provider=zendesk|freshdesk|intercom|helpscout|generic`: an
 * escalated helpdesk ticket, checked the way its helpdesk signs (src/intake/tickets/signatures.ts)
 * with the secret of the organization's connection. Answers like /inbound/raw: 200
 * `{"status":"created"|"duplicate","case":"ESC-n"}` (or `ignored` for a conversation not marked
 * for escalation), 401 when the post is not the helpdesk's, 413 over 256 KB, 422 for a payload
 * that is not a ticket, with a one-line reason.
 */
export const ticketRoutes = new Hono<AppEnv>()

export const MAX_TICKET_BYTES = 256 * 1024

const isProvider = (value: string | undefined): value is Provider => (providers as readonly string[]).includes(value ?? '')

const rejected = (reason: string) => ({ error: { status: 422, message: reason } })

ticketRoutes.post('/', async (c) => {
  const { db, env } = c.get('deps')
  const provider = c.req.query('provider')
  const slug = c.req.query('org')
  if (!slug || !isProvider(provider)) throw new AppError('BAD_INPUT', `Give ?org=SLUG&provider=${providers.join('|')}.`)
  // An unknown organization reads exactly as one without this connection: nothing to learn here.
  const org = await findOrgBySlug(db, slug)
  const connection = org ? await withOrg(db, org.id, (tx) => getConnection(tx, provider)) : undefined
  if (!org || !connection) throw new AppError('UNAUTHORIZED', `No ${providerLabels[provider]} connection is set up for this organization.`)

  const body = await readInboundBody(c, MAX_TICKET_BYTES)
  const secret = await openSecret(db, env, org.id, connection.secretSealed).catch((error: unknown) => {
    // The helpdesk retries a 503; the settings page says to enter the secret again.
    throw error instanceof UnsealError ? new AppError('UNAVAILABLE', error.message) : error
  })
  const url = new URL(c.req.url)
  const verdict = await verifyTicketPost(provider, secret, {
    header: (name) => c.req.header(name),
    target: url.pathname + url.search,
    body,
  })
  if (!verdict.ok) throw new AppError('UNAUTHORIZED', verdict.reason)

  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(body))
  } catch {
    return c.json(rejected('The body is not valid JSON.'), 422)
  }
  const read = readTicket(provider, json)
  if (read.kind === 'invalid') return c.json(rejected(read.reason), 422)
  if (read.kind === 'ignored') return c.json({ status: 'ignored', case: null, reason: read.reason }, 200)
  const outcome = await withOrg(db, org.id, (tx) => openTicketCase(tx, org.id, provider, read.ticket, connection.priorityMap))
  return c.json(outcome, 200)
})
