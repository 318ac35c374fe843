import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './app-env.ts'
import type { Env } from '../env.ts'
import { AppError } from './errors.ts'

export const FORM_BODY_LIMIT = 1024 * 1024

/** Upload routes that need more than a form: their own, larger limit instead of the 1 MB one. */
export const UPLOAD_BODY_LIMITS: Readonly<Record<string, number>> = { '/import/preview': 20 * 1024 * 1024 }

/** A file uploaded on a case for a reply: 10 MB of file (src/attachments/reply-files.ts) and the form around it. */
const REPLY_FILE_PATH = /^\/cases\/[0-9a-f-]{36}\/drafts\/files$/
const REPLY_FILE_BODY_LIMIT = 10 * 1024 * 1024 + 64 * 1024

/**
 * Paths machines call: provider webhooks (signed, cross-origin by nature, with their own size
 * limit), health checks, static files, the API (a bearer token on every request, never a
 * cookie: src/api/auth.ts) and chat apps' callbacks (/integrations: Slack signs each request).
 * They get no session, CSRF check or form body limit.
 */
export function isMachinePath(path: string): boolean {
  return /^\/(inbound|healthz|static|api|integrations)(\/|$)/.test(path)
}

/**
 * CSRF (hono/csrf: the browser's Sec-Fetch-Site or Origin must be our own origin, which covers
 * the public URL behind a proxy too) and a 1 MB body limit on every form route.
 */
export function formProtection(env: Env): MiddlewareHandler<AppEnv> {
  const publicOrigin = new URL(env.PUBLIC_URL).origin
  // The request's own origin counts too (the desk opened as 127.0.0.1 while PUBLIC_URL says
  // localhost). It is derived from the Host header, which hostCheck (src/http/host-check.ts) has
  // already limited to PUBLIC_URL's host and loopback names: a DNS-rebound page never gets here.
  const ourOrigin = (origin: string | undefined, c: Context<AppEnv>) => origin === publicOrigin || origin === new URL(c.req.url).origin
  const checkFormOrigin = csrf({ origin: ourOrigin })
  // hono/csrf looks only at the content types an HTML form can send. A page elsewhere could
  // script a post of another type (JSON): a browser would preflight it and hold back the
  // SameSite=Lax cookie, but the handlers would act on it all the same if it arrived
  // (test/attack/csrf.test.ts). No portal route takes anything from another site, so every
  // unsafe method gets the same rule: our origin, or the browser saying same-origin.
  const checkOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (
      /^(GET|HEAD|OPTIONS)$/.test(c.req.method) ||
      c.req.header('sec-fetch-site') === 'same-origin' ||
      ourOrigin(c.req.header('origin'), c)
    ) {
      return checkFormOrigin(c, next)
    }
    throw new HTTPException(403, { res: new Response('Forbidden', { status: 403 }) })
  }
  const limitBody = bodyLimit({
    maxSize: FORM_BODY_LIMIT,
    onError: () => {
      throw new AppError('TOO_LARGE', 'That form is too large (1 MB at most).')
    },
  })
  const limitUpload = new Map(
    Object.entries(UPLOAD_BODY_LIMITS).map(([path, maxSize]) => [
      path,
      bodyLimit({
        maxSize,
        onError: () => {
          throw new AppError('TOO_LARGE', `That file is too large (${maxSize / 1024 / 1024} MB at most).`)
        },
      }),
    ]),
  )
  const limitReplyFile = bodyLimit({
    maxSize: REPLY_FILE_BODY_LIMIT,
    onError: () => {
      throw new AppError('TOO_LARGE', 'That file is too large: one file of a reply can be at most 10 MB.')
    },
  })
  return async (c, next) => {
    if (isMachinePath(c.req.path)) return next()
    const limit = limitUpload.get(c.req.path) ?? (REPLY_FILE_PATH.test(c.req.path) ? limitReplyFile : limitBody)
    return checkOrigin(c, async () => {
      await limit(c, next)
    })
  }
}

/**
 * The client's IP for rate limits, or null when unknown. Only a trusted proxy's X-Forwarded-For
 * (its last entry, the one the proxy itself added) is believed; otherwise the socket's address
 * (Node) or Cloudflare's CF-Connecting-IP (Workers, where no socket is visible and Cloudflare
 * overwrites the header).
 */
export function clientAddress(c: Context<AppEnv>, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1)
    if (forwarded) return forwarded
  }
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
  if (socket) return socket.remoteAddress ?? null
  return c.req.header('cf-connecting-ip') ?? null
}
