// The webhook_delivery job: one POST of one delivery, signed with Standard Webhooks. Three steps,
// and no transaction open across the POST (a slow receiver would hold a pool connection): read
// and open the secret, post, record the attempt. Retries go through the job runner's backoff.
import { Webhook } from 'standardwebhooks'
import { withOrg, type Tx } from '../db.ts'
import type { Job } from '../jobs/queries.ts'
import { defaultBackoffMs, RetryAt, type JobContext, type JobHandler } from '../jobs/runner.ts'
import { openSecret, UnsealError } from '../secrets/sealed.ts'
import { abandonDelivery, lockDelivery, recordAttempt, type AttemptRecord } from './queries.ts'

/** How long a receiver may take to answer; the attempt then counts as failed and is retried. */
export const DELIVERY_TIMEOUT_MS = 10_000
// A receiver's Retry-After is honoured up to this; a longer one is its own outage.
const MAX_RETRY_AFTER_MS = 60 * 60_000

type Claimed = { url: string; secretSealed: string; body: string }
type Ready = { deliveryId: string; url: string; secret: string; body: string }
type Posted = AttemptRecord & { retryAfterMs: number | null }

export const webhookDeliveryJob: JobHandler = async (job, ctx) => {
  const deliveryId = String(job.payload.deliveryId ?? '')
  const claimed = await withOrg(ctx.db, job.orgId, (tx) => prepare(tx, ctx, deliveryId))
  if (!claimed) return
  // Opened outside any transaction: the sealing key is read through the pool.
  const secret = await openSecret(ctx.db, ctx.env, job.orgId, claimed.secretSealed).catch((error: unknown) => {
    if (error instanceof UnsealError) return error
    throw error
  })
  if (secret instanceof UnsealError) {
    // Retrying cannot help until someone restores the key: say so on the delivery and stop.
    await withOrg(ctx.db, job.orgId, async (tx) => {
      await abandonDelivery(tx, deliveryId, secret.message.slice(0, 500))
      await ctx.complete(tx)
    })
    return
  }
  const ready = { deliveryId, url: claimed.url, secret, body: claimed.body }
  const posted = await postSigned(ready)
  const retryAt = await withOrg(ctx.db, job.orgId, (tx) => finish(tx, job, ctx, ready, posted))
  // Thrown after the attempt's record committed: the runner reschedules the job for then.
  if (retryAt) throw new RetryAt(`webhook delivery ${deliveryId}: ${posted.error}`, retryAt)
}

async function prepare(tx: Tx, ctx: JobContext, deliveryId: string): Promise<Claimed | null> {
  const delivery = await lockDelivery(tx, deliveryId)
  if (!delivery || delivery.status !== 'pending') {
    await ctx.complete(tx)
    return null
  }
  const endpoint = delivery.endpoint
  if (!endpoint?.enabled) {
    await abandonDelivery(tx, deliveryId, 'the endpoint was disabled before this delivery was attempted')
    await ctx.complete(tx)
    return null
  }
  return { url: endpoint.url, secretSealed: endpoint.secretSealed, body: JSON.stringify(delivery.payload) }
}

/** The signed headers of one attempt: the webhook-id is the delivery's, so receivers can dedupe. */
export function signedHeaders(ready: Pick<Ready, 'deliveryId' | 'secret' | 'body'>, at = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'EscalationDesk-Webhooks/1',
    'webhook-id': ready.deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(ready.secret).sign(ready.deliveryId, at, ready.body),
  }
}

async function postSigned(ready: Ready): Promise<Posted> {
  const started = Date.now()
  const took = () => Date.now() - started
  try {
    const response = await fetch(ready.url, {
      method: 'POST',
      headers: signedHeaders(ready),
      body: ready.body,
      // A redirect could point anywhere, this desk's own network included: never followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    })
    await response.body?.cancel().catch(() => {})
    const status = response.status
    const error =
      status >= 200 && status < 300 ? null : `the endpoint answered ${status}${status < 400 ? ' (redirects are not followed)' : ''}`
    return { statusCode: status, durationMs: took(), error, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    const message = timedOut
      ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s`
      : `could not connect: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`
    return { statusCode: null, durationMs: took(), error: message, retryAfterMs: null }
  }
}

function retryAfterMs(header: string | null): number | null {
  if (!header || !/^\d{1,7}$/.test(header.trim())) return null
  return Math.min(Number(header) * 1000, MAX_RETRY_AFTER_MS)
}

/** 4xx means the receiver refuses this delivery, except 408 (timeout) and 429 (slow down); 3xx is not followed. */
export const isPermanent = (status: number | null) =>
  status !== null && ((status >= 300 && status < 400) || (status >= 400 && status < 500 && status !== 408 && status !== 429))

/** Records the attempt; returns when to try again, or null when the delivery is finished. */
async function finish(tx: Tx, job: Job, ctx: JobContext, ready: Ready, posted: Posted): Promise<Date | null> {
  const attempt = { statusCode: posted.statusCode, durationMs: posted.durationMs, error: posted.error }
  const delivered = posted.error === null
  const giveUp = !delivered && (isPermanent(posted.statusCode) || job.attempts >= job.maxAttempts)
  const retryAt =
    delivered || giveUp ? null : new Date(Date.now() + (posted.retryAfterMs ?? (ctx.backoffMs ?? defaultBackoffMs)(job.attempts)))
  const status = delivered ? 'delivered' : giveUp ? 'failed' : 'pending'
  await recordAttempt(tx, job.orgId, ready.deliveryId, attempt, { status, nextAttemptAt: retryAt })
  if (!retryAt) await ctx.complete(tx)
  return retryAt
}
