import { Hono } from 'hono'
import type { AppEnv } from '../../http/app-env.ts'
import { AppError } from '../../http/errors.ts'
import { fieldText, multipartBoundary, parseForm } from './body.ts'
import { providerPayloadLimit, readInboundBody, tooLargeUnlessFits } from './common.ts'
import { receiveMail, publicOutcome } from './receive.ts'
import { oncePerDelivery } from './deliveries.ts'
import { isFresh, verifyHmacHex } from './signing.ts'

/**
 * `POST /inbound/mailgun/mime`: a Mailgun route's forward() to this URL. Mailgun posts the raw
 * message (`body-mime`) only to URLs ending in "mime", hence the suffix; `/inbound/mailgun` is
 * the same handler. Mailgun signs only timestamp + token, not the body, so the
 * token must be single-use: it is the delivery key, and a replay is answered from the first
 * outcome without reading the (possibly swapped) body.
 *
 * The signature travels inside the form, so the form is read before anything can be checked:
 * what bounds an unsigned post is the payload limit, the shared body budget (common.ts) and a
 * parser that works on the bytes in place (no second copy of the body).
 */
export const mailgunRoutes = new Hono<AppEnv>()

mailgunRoutes.post('/:variant{mime}?', async (c) => {
  const { db, env, analyze } = c.get('deps')
  if (!env.MAILGUN_SIGNING_KEY) throw new AppError('UNAVAILABLE', 'POST /inbound/mailgun is not configured: set MAILGUN_SIGNING_KEY.')
  const contentType = c.req.header('content-type') ?? ''
  // A body that could never be a form is refused unread.
  if (contentType.toLowerCase().startsWith('multipart/form-data')) multipartBoundary(contentType)
  else if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new AppError('BAD_INPUT', 'Expected multipart/form-data or application/x-www-form-urlencoded.')
  }

  const body = await readInboundBody(c, providerPayloadLimit(env))
  const form = parseForm(body, contentType)
  const timestamp = fieldText(form, 'timestamp')
  const token = fieldText(form, 'token')
  const signature = fieldText(form, 'signature')
  if (!timestamp || !token || !signature) throw new AppError('UNAUTHORIZED', 'timestamp, token and signature are required.')
  if (!(await verifyHmacHex(env.MAILGUN_SIGNING_KEY, [timestamp, token], signature))) {
    throw new AppError('UNAUTHORIZED', 'The Mailgun signature does not match.')
  }
  // Checked after the signature so the timestamp we judge is one Mailgun vouched for.
  if (!isFresh(timestamp)) throw new AppError('UNAUTHORIZED', 'The Mailgun timestamp is more than 5 minutes from now.')

  const mime = form.get('body-mime')
  if (!mime) {
    throw new AppError(
      'BAD_INPUT',
      'No body-mime field: Mailgun sends the raw message only to URLs ending in "mime"; forward the route to /inbound/mailgun/mime.',
    )
  }
  const raw = tooLargeUnlessFits(mime, env)
  const recipient = fieldText(form, 'recipient')
  const envelope = {
    from: fieldText(form, 'sender') ?? null,
    to: recipient
      ? recipient
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean)
      : [],
    mailgunToken: token,
  }
  const outcome = await oncePerDelivery(db, { provider: 'mailgun', deliveryId: token }, () =>
    receiveMail(db, { orgSlug: c.req.query('org'), raw, provider: 'mailgun', envelope, analyze, env }),
  )
  return c.json(publicOutcome(outcome), 200)
})
