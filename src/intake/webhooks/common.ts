import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../../http/app-env.ts'
import type { Env } from '../../env.ts'
import { AppError } from '../../http/errors.ts'
import { BODY_READ_MS, RETRY_AFTER_SECONDS, leaseBodyBytes, readBodyLimited, type BodyLease } from './body.ts'

/**
 * Provider payloads wrap the message: base64 attachments (4/3 of their size), a raw copy next to
 * parsed bodies (Postmark), form encoding. Three times the message limit covers that; the message
 * itself is then held to MAX_MESSAGE_BYTES by tooLargeUnlessFits.
 */
export const providerPayloadLimit = (env: Env) => env.MAX_MESSAGE_BYTES * 3 + 1024 * 1024

export function tooLargeUnlessFits(raw: Uint8Array, env: Env): Uint8Array {
  if (raw.byteLength > env.MAX_MESSAGE_BYTES) {
    throw new AppError('TOO_LARGE', `The message is larger than the limit of ${env.MAX_MESSAGE_BYTES} bytes.`)
  }
  return raw
}

const leases = new WeakMap<Request, BodyLease>()

/**
 * The bytes of inbound bodies all requests together may hold: one message at the limit (26 MB by
 * default). Mail is mostly far smaller, so many fit at once; a larger provider payload is read
 * when nothing else is held.
 */
export const inboundBodyBudget = (env: Env) => env.MAX_MESSAGE_BYTES + 1024 * 1024

/**
 * Every inbound request holds its body bytes in the shared budget until its answer is ready
 * (reading, checking the signature, storing and analysing the message): a flood of uploads,
 * signed or not, waits for room and then gets 503 with Retry-After, so memory stays bounded.
 */
export const holdInboundBodies: MiddlewareHandler<AppEnv> = async (c, next) => {
  const lease = leaseBodyBytes(inboundBodyBudget(c.get('deps').env))
  leases.set(c.req.raw, lease)
  try {
    await next()
  } finally {
    lease.release()
  }
}

/** The budget lease of this request (for bodies it reads on the request's behalf, e.g. a download). */
export const inboundLease = (c: Context<AppEnv>) => leases.get(c.req.raw)

/** The request body, bounded by `limit`, the shared budget and a read deadline. */
export async function readInboundBody(
  c: Context<AppEnv>,
  limit: number,
  check: { onChunk?: (chunk: Uint8Array) => void; verify?: () => void } = {},
): Promise<Uint8Array> {
  try {
    return await readBodyLimited(c.req.raw, limit, { ...check, lease: inboundLease(c), deadlineMs: BODY_READ_MS })
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAVAILABLE') c.header('retry-after', String(RETRY_AFTER_SECONDS))
    throw error
  }
}

export async function readJson(c: Context<AppEnv>, limit: number): Promise<unknown> {
  const body = await readInboundBody(c, limit)
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    throw new AppError('BAD_INPUT', 'The body is not valid JSON.')
  }
}
