import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../../http/app-env.ts'
import type { Env } from '../../env.ts'
import { AppError } from '../../http/errors.ts'
import { providerPayloadLimit, readJson, tooLargeUnlessFits } from './common.ts'
import { receiveMail, publicOutcome } from './receive.ts'
import { oncePerDelivery } from './deliveries.ts'
import { buildMime, type Address } from './mime-build.ts'
import { sameSecret } from './signing.ts'

/**
 * `POST /inbound/postmark`: Postmark's inbound webhook (JSON). Postmark does not sign requests;
 * it authenticates with basic auth in the webhook URL (https://user:password@host/…) or, here,
 * a `?token=` in it. Postmark's `MessageID` is its own delivery id (used to spot retries), not
 * the RFC Message-ID, which is in the `Headers` array.
 */
export const postmarkRoutes = new Hono<AppEnv>()

const address = z.object({ Email: z.string(), Name: z.string().nullish() })
const payload = z.object({
  MessageID: z.string().min(1),
  From: z.string().default(''),
  FromFull: address.nullish(),
  To: z.string().default(''),
  ToFull: z.array(address).default([]),
  CcFull: z.array(address).default([]),
  BccFull: z.array(address).default([]),
  ReplyTo: z.string().nullish(),
  OriginalRecipient: z.string().nullish(),
  Subject: z.string().default(''),
  Date: z.string().nullish(),
  TextBody: z.string().nullish(),
  HtmlBody: z.string().nullish(),
  Headers: z.array(z.object({ Name: z.string(), Value: z.string() })).default([]),
  Attachments: z
    .array(
      z.object({ Name: z.string().default(''), Content: z.string(), ContentType: z.string().default(''), ContentID: z.string().nullish() }),
    )
    .default([]),
  // Present when "Include raw email content in JSON payload" is on in the inbound stream settings.
  RawEmail: z.string().nullish(),
})
type Payload = z.infer<typeof payload>

async function isAuthorized(env: Env, authorization: string | undefined, token: string | undefined): Promise<boolean> {
  if (env.POSTMARK_INBOUND_TOKEN && token !== undefined) return sameSecret(token, env.POSTMARK_INBOUND_TOKEN)
  if (env.POSTMARK_INBOUND_USER && env.POSTMARK_INBOUND_PASSWORD && authorization?.startsWith('Basic ')) {
    let given: string
    try {
      given = atob(authorization.slice(6).trim())
    } catch {
      return false
    }
    return sameSecret(given, `${env.POSTMARK_INBOUND_USER}:${env.POSTMARK_INBOUND_PASSWORD}`)
  }
  return false
}

const toAddress = (a: z.infer<typeof address>): Address => ({ email: a.Email, name: a.Name })

/** The message as Postmark received it: its raw copy when sent, else rebuilt from the fields. */
function rawMessage(p: Payload): Uint8Array {
  if (p.RawEmail) return new TextEncoder().encode(p.RawEmail)
  return buildMime({
    from: p.FromFull ? toAddress(p.FromFull) : p.From ? { email: p.From } : null,
    to: p.ToFull.map(toAddress),
    cc: p.CcFull.map(toAddress),
    replyTo: p.ReplyTo ? [{ email: p.ReplyTo }] : [],
    subject: p.Subject,
    date: p.Date,
    headers: p.Headers.map((h) => ({ name: h.Name, value: h.Value })),
    text: p.TextBody,
    html: p.HtmlBody,
    attachments: p.Attachments.map((a) => ({ filename: a.Name, contentType: a.ContentType, contentId: a.ContentID, base64: a.Content })),
  })
}

postmarkRoutes.post('/', async (c) => {
  const { db, env, analyze } = c.get('deps')
  const configured = env.POSTMARK_INBOUND_TOKEN || (env.POSTMARK_INBOUND_USER && env.POSTMARK_INBOUND_PASSWORD)
  if (!configured) {
    throw new AppError(
      'UNAVAILABLE',
      'POST /inbound/postmark is not configured: set POSTMARK_INBOUND_TOKEN or POSTMARK_INBOUND_USER and POSTMARK_INBOUND_PASSWORD.',
    )
  }
  if (!(await isAuthorized(env, c.req.header('authorization'), c.req.query('token')))) {
    c.header('www-authenticate', 'Basic realm="inbound"')
    throw new AppError('UNAUTHORIZED', 'Postmark webhook credentials are missing or wrong.')
  }

  const parsed = payload.safeParse(await readJson(c, providerPayloadLimit(env)))
  if (!parsed.success) throw new AppError('BAD_INPUT', 'Expected a Postmark inbound JSON payload (with MessageID).')
  const p = parsed.data
  const raw = tooLargeUnlessFits(rawMessage(p), env)
  const envelope = {
    from: p.FromFull?.Email ?? p.From,
    to: [p.OriginalRecipient, ...[...p.ToFull, ...p.CcFull, ...p.BccFull].map((a) => a.Email)].filter((a): a is string => !!a),
    postmarkMessageId: p.MessageID,
  }
  const outcome = await oncePerDelivery(db, { provider: 'postmark', deliveryId: p.MessageID }, () =>
    receiveMail(db, { orgSlug: c.req.query('org'), raw, provider: 'postmark', envelope, analyze, env }),
  )
  return c.json(publicOutcome(outcome), 200)
})
