// Cloudflare Workers entry: the same app as the Node server, with Postgres through Hyperdrive.
// `scheduled` and `email` arrive with the digest/scheduling and inbound issues.
import htmx from 'htmx.org/dist/htmx.min.js'
import hxCsp from 'htmx.org/dist/ext/hx-csp.min.js'
import desk from '../views/static/desk.js'
import { createApp } from './app.ts'
import { connect } from './db.ts'
import { parseEnv } from './env.ts'
import { createMailer } from './outbound/mailer.ts'

type WorkerEnv = { HYPERDRIVE: { connectionString: string } } & Record<string, unknown>

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: { waitUntil(p: Promise<unknown>): void }) {
    // Hyperdrive pools connections; a client per request is its recommended pattern.
    const settings = parseEnv(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>)
    if (!settings.ok) return new Response(`Misconfigured: ${settings.problems.join('; ')}`, { status: 500 })
    const db = connect(env.HYPERDRIVE.connectionString, { max: 5, fetch_types: false })
    const app = createApp({
      db,
      env: settings.env,
      assets: {
        'htmx.min.js': { body: htmx, type: 'text/javascript; charset=utf-8' },
        'hx-csp.min.js': { body: hxCsp, type: 'text/javascript; charset=utf-8' },
        'desk.js': { body: desk, type: 'text/javascript; charset=utf-8' },
      },
      mailer: createMailer(db, settings.env),
    })
    // Work the app defers past the response (e.g. sign-in mail) must finish before the client closes.
    const deferred: Promise<unknown>[] = []
    const response = await app.fetch(request, env, { waitUntil: (p: Promise<unknown>) => void deferred.push(p), passThroughOnException() {}, props: {} })
    ctx.waitUntil(Promise.allSettled(deferred).then(() => db.end()))
    return response
  },
}
