import { Hono } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { requestId, type RequestIdVariables } from 'hono/request-id'
import type { SecureHeadersVariables } from 'hono/secure-headers'
import type { Db } from './db.ts'
import type { Env } from './env.ts'
import { healthRoutes } from './http/health.ts'
import { handleError } from './http/on-error.tsx'
import { queueRoutes } from './queue/routes.tsx'

export type StaticAsset = { body: string; type: string }

export type AppDeps = {
  db: Db
  env: Env
  /** Files served under /static/, read by the entry point (keeps this module free of node:fs). */
  assets: Record<string, StaticAsset>
  /** Org slug whose queue is open without sign-in (loopback + embedded database only), else null. */
  localDemoOrg: string | null
}

export type AppEnv = { Variables: { deps: AppDeps } & SecureHeadersVariables & RequestIdVariables }

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()

  app.use(requestId())
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
  })
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: [NONCE, "'self'"],
        styleSrc: [NONCE],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      crossOriginEmbedderPolicy: false,
    }),
  )

  app.get('/static/:name', (c) => {
    const asset = deps.assets[c.req.param('name')]
    if (!asset) return c.text('Not found', 404)
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' })
  })
  app.route('/healthz', healthRoutes)
  app.route('/', queueRoutes)

  app.notFound((c) => handleError(c, null))
  app.onError((error, c) => handleError(c, error))
  return app
}
