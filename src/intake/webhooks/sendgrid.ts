import { Hono } from 'hono'
import type { AppEnv } from '../../http/app-env.ts'
import { AppError } from '../../http/errors.ts'
import { fieldText, parseForm } from './body.ts'
import { providerPayloadLimit, readInboundBody, tooLargeUnlessFits } from './common.ts'
import { receiveMail, publicOutcome } from './receive.ts'
import { sameSecret } from './signing.ts'

/**
 * `POST /inbound/sendgrid?token=…`: SendGrid Inbound Parse with "POST the raw, full MIME message"
 * on (the message is the `email` field). Inbound Parse does not sign its posts, so the URL
 * carries a secret token. Nothing identifies a delivery, so a retry is recognised by intake's
 * Message-ID (or byte hash) dedupe and answered `duplicate`.
 */
export const sendgridRoutes = new Hono<AppEnv>()

sendgridRoutes.post('/', async (c) => {
  const { db, env, analyze } = c.get('deps')
  if (!env.SENDGRID_INBOUND_TOKEN)
    throw new AppError('UNAVAILABLE', 'POST /inbound/sendgrid is not configured: set SENDGRID_INBOUND_TOKEN.')
  const token = c.req.query('token')
  if (!token || !(await sameSecret(token, env.SENDGRID_INBOUND_TOKEN))) {
    throw new AppError('UNAUTHORIZED', 'The ?token= in the Inbound Parse URL is missing or wrong.')
  }

  const body = await readInboundBody(c, providerPayloadLimit(env))
  const form = parseForm(body, c.req.header('content-type') ?? '')
  const email = form.get('email')
  if (!email) {
    throw new AppError('BAD_INPUT', 'No email field: turn on "POST the raw, full MIME message" in the Inbound Parse settings.')
  }
  const raw = tooLargeUnlessFits(email, env)
  let to: string[] = []
  let from: string | null = null
  try {
    const parsed = JSON.parse(fieldText(form, 'envelope') ?? '{}') as { to?: unknown; from?: unknown }
    to = Array.isArray(parsed.to) ? parsed.to.filter((a): a is string => typeof a === 'string') : []
    from = typeof parsed.from === 'string' ? parsed.from : null
  } catch {
    // A malformed envelope only loses a routing hint; the headers still name the recipients.
  }
  const outcome = await receiveMail(db, { orgSlug: c.req.query('org'), raw, provider: 'sendgrid', envelope: { from, to }, analyze, env })
  return c.json(publicOutcome(outcome), 200)
})
