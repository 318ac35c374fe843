import { Hono } from 'hono'
import { Resend, type GetReceivingEmailResponseSuccess } from 'resend'
import { Webhook } from 'standardwebhooks'
import { z } from 'zod'
import type { AppEnv } from '../../http/app-env.ts'
import type { Env } from '../../env.ts'
import { AppError } from '../../http/errors.ts'
import { readBodyLimited, type BodyLease } from './body.ts'
import { inboundLease, readInboundBody } from './common.ts'
import { receiveMail, publicOutcome } from './receive.ts'
import { oncePerDelivery } from './deliveries.ts'
import { buildMime, type Address } from './mime-build.ts'
import { isFresh } from './signing.ts'

/**
 * `POST /inbound/resend`: Resend's `email.received` webhook (Svix-style signature, checked with
 * standardwebhooks over the raw body bytes, 5-minute tolerance). The event carries only metadata,
 * so the message is fetched through the Resend SDK's receiving API and its raw download URL.
 */
export const resendRoutes = new Hono<AppEnv>()

const event = z.object({
  type: z.string(),
  data: z
    .object({ email_id: z.string().min(1) })
    .partial()
    .default({}),
})

// The event is metadata only: a few KB. Anything much larger is not Resend.
const eventLimit = 1024 * 1024

/** Svix sends webhook-* headers; older integrations send svix-* ones. Same values either way. */
function signatureHeaders(header: (name: string) => string | undefined) {
  const pick = (name: string) => header(`webhook-${name}`) ?? header(`svix-${name}`) ?? ''
  return { 'webhook-id': pick('id'), 'webhook-timestamp': pick('timestamp'), 'webhook-signature': pick('signature') }
}

function parseAddress(text: string): Address {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(text)
  return match ? { name: match[1] || null, email: match[2]! } : { email: text.trim() }
}

/** The raw MIME through its download URL; rebuilt from the parsed fields only if Resend has none. */
async function fetchRawMessage(
  email: GetReceivingEmailResponseSuccess,
  env: Env,
  lease?: BodyLease,
): Promise<{ raw: Uint8Array; rebuilt: boolean }> {
  const url = email.raw?.download_url
  if (url && /^https?:\/\//.test(url)) {
    // A pre-signed URL: no Authorization header, which would leak the API key to the storage host.
    const response = await fetch(url).catch(() => null)
    if (!response?.ok)
      throw new AppError('UPSTREAM_FAILED', `Resend's raw download for ${email.id} failed (${response?.status ?? 'no response'}); retry.`)
    return { raw: await readBodyLimited(response, env.MAX_MESSAGE_BYTES, { lease }), rebuilt: false }
  }
  const headers = Object.entries(email.headers ?? {}).map(([name, value]) => ({ name, value: String(value) }))
  if (email.message_id && !headers.some((h) => h.name.toLowerCase() === 'message-id'))
    headers.push({ name: 'Message-ID', value: email.message_id })
  const raw = buildMime({
    from: email.from ? parseAddress(email.from) : null,
    to: (email.to ?? []).map(parseAddress),
    cc: (email.cc ?? []).map(parseAddress),
    replyTo: (email.reply_to ?? []).map(parseAddress),
    subject: email.subject ?? '',
    date: headers.find((h) => h.name.toLowerCase() === 'date')?.value ?? new Date(email.created_at).toUTCString(),
    headers,
    text: email.text,
    html: email.html,
    attachments: [],
  })
  return { raw, rebuilt: true }
}

resendRoutes.post('/', async (c) => {
  const { db, env, analyze } = c.get('deps')
  if (!env.RESEND_WEBHOOK_SECRET || !env.RESEND_API_KEY) {
    throw new AppError(
      'UNAVAILABLE',
      'POST /inbound/resend is not configured: set RESEND_WEBHOOK_SECRET and RESEND_API_KEY (to fetch received mail).',
    )
  }
  const headers = signatureHeaders((name) => c.req.header(name))
  // What can be judged without the body is judged first: an unsigned or stale event is not read.
  if (!headers['webhook-id'] || !headers['webhook-signature'] || !isFresh(headers['webhook-timestamp'])) {
    throw new AppError(
      'UNAUTHORIZED',
      'The Resend webhook signature was refused: missing or stale webhook-id, webhook-timestamp or webhook-signature.',
    )
  }
  const body = await readInboundBody(c, eventLimit)
  let verified: unknown
  try {
    // standardwebhooks signs the body as a string; decoding UTF-8 here keeps it byte-for-byte.
    verified = new Webhook(env.RESEND_WEBHOOK_SECRET).verify(new TextDecoder().decode(body), headers)
  } catch (error) {
    throw new AppError('UNAUTHORIZED', `The Resend webhook signature was refused: ${(error as Error).message}.`)
  }
  const parsed = event.safeParse(verified)
  if (!parsed.success) throw new AppError('BAD_INPUT', 'Expected a Resend webhook event.')
  if (parsed.data.type !== 'email.received' || !parsed.data.data.email_id) return c.json({ status: 'ignored' }, 200)
  const emailId = parsed.data.data.email_id

  const resend = new Resend(env.RESEND_API_KEY, { baseUrl: env.RESEND_BASE_URL })
  const outcome = await oncePerDelivery(db, { provider: 'resend', deliveryId: headers['webhook-id'], emailId }, async () => {
    const { data: email, error } = await resend.emails.receiving.get(emailId)
    if (!email) throw new AppError('UPSTREAM_FAILED', `Resend did not return email ${emailId}: ${error?.message ?? 'no data'}; retry.`)
    const { raw, rebuilt } = await fetchRawMessage(email, env, inboundLease(c))
    const envelope = { from: email.from, to: [...(email.received_for ?? []), ...(email.to ?? [])], resendEmailId: emailId, rebuilt }
    return receiveMail(db, { orgSlug: c.req.query('org'), raw, provider: 'resend', envelope, analyze, env })
  })
  return c.json(publicOutcome(outcome), 200)
})
