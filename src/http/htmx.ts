import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './app-env.ts'

/** A request htmx made (it swaps the answer into the page), rather than a browser's page load. */
export const isHtmx = (c: Context<AppEnv>) => c.req.header('hx-request') !== undefined

/**
 * Renders a view through the app's renderer (src/app.ts), which gives views the request: the
 * layout reads the CSP nonce and the signed-in user from it.
 */
export async function render(c: Context<AppEnv>, view: Child, status: ContentfulStatusCode = 200): Promise<Response> {
  c.status(status)
  return c.render(view as never)
}

/** The whole page for a page load, only the fragment it contains for htmx (which swaps it in). */
export function pageOrFragment(c: Context<AppEnv>, page: Child, fragment: Child, status: ContentfulStatusCode = 200): Promise<Response> {
  return render(c, isHtmx(c) ? fragment : page, status)
}
