import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'

/**
 * `Cache-Control: no-store` on every answer that does not say otherwise: pages, fragments, link
 * pages and exports show cases, customers and live tokens, and a shared or back-button cache
 * must not keep them. Static files are the exception (the same for everyone); a handler that
 * sets its own Cache-Control keeps it.
 */
export const noStoreByDefault: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next()
  if (c.req.path.startsWith('/static/') || c.res.headers.has('cache-control')) return
  c.header('cache-control', 'no-store')
}
