// Cloudflare Workers entry: the same app as the Node server, with Postgres through Hyperdrive.
// `fetch` serves the desk, `email` takes mail from Cloudflare Email Routing into the same intake,
// `scheduled` (cron, wrangler.toml) runs the scheduler tick and drains background jobs.
import htmx from 'htmx.org/dist/htmx.min.js'
import hxCsp from 'htmx.org/dist/ext/hx-csp.min.js'
import desk from '../views/static/desk.js'
import { createApp } from './app.ts'
import { connect, isDatabaseUnavailable } from './db.ts'
import { parseEnv, type Env } from './env.ts'
import { receiveMail } from './intake/webhooks/receive.ts'
import { jobHandlers } from './jobs/handlers.ts'
import { runScheduledTick } from './jobs/scheduler.ts'
import { createMailer } from './outbound/mailer.ts'

type WorkerEnv = { HYPERDRIVE: { connectionString: string } } & Record<string, unknown>
type ExecutionContext = { waitUntil(p: Promise<unknown>): void }
/** The parts of Cloudflare's ScheduledController the desk uses. */
type ScheduledController = { scheduledTime: number; cron: string }
/** The parts of Cloudflare's ForwardableEmailMessage the desk uses. */
type EmailMessage = { from: string; to: string; raw: ReadableStream<Uint8Array>; rawSize: number; setReject(reason: string): void }

const js = 'text/javascript; charset=utf-8'

/**
 * How long one cron invocation keeps claiming jobs (drafts, sends, digests, alerts). Nothing
 * else runs them on Workers; jobs still running at the limit finish, the rest wait a minute for
 * the next invocation (or another one running at the same time: claims are SKIP LOCKED).
 */
const scheduledDrainMs = 25_000

function settingsFrom(env: WorkerEnv): { ok: true; env: Env } | { ok: false; problems: string[] } {
  return parseEnv(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>)
}

// Hyperdrive pools connections; a client per invocation is its recommended pattern. Type
// fetching stays on (unlike Hyperdrive's examples): the desk binds JS arrays to text[] columns.
const database = (env: WorkerEnv) => connect(env.HYPERDRIVE.connectionString, { max: 5 })

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    const settings = settingsFrom(env)
    if (!settings.ok) return new Response(`Misconfigured: ${settings.problems.join('; ')}`, { status: 500 })
    const db = database(env)
    const app = createApp({
      db,
      env: settings.env,
      assets: { 'htmx.min.js': { body: htmx, type: js }, 'hx-csp.min.js': { body: hxCsp, type: js }, 'desk.js': { body: desk, type: js } },
      mailer: createMailer(db, settings.env),
    })
    // Work the app defers past the response (e.g. sign-in mail) must finish before the client closes.
    const deferred: Promise<unknown>[] = []
    const response = await app.fetch(request, env, { waitUntil: (p: Promise<unknown>) => void deferred.push(p), passThroughOnException() {}, props: {} })
    ctx.waitUntil(Promise.allSettled(deferred).then(() => db.end()))
    return response
  },

  /**
   * Email Routing hands over raw MIME: the same intake as every other way in, routed by the
   * envelope recipient. Throwing leaves the message undelivered so the sending server retries
   * (database down); setReject bounces it for good (too large).
   */
  async email(message: EmailMessage, env: WorkerEnv, ctx: ExecutionContext) {
    const settings = settingsFrom(env)
    if (!settings.ok) throw new Error(`Misconfigured: ${settings.problems.join('; ')}`)
    if (message.rawSize > settings.env.MAX_MESSAGE_BYTES) {
      message.setReject(`message is ${message.rawSize} bytes, over the ${settings.env.MAX_MESSAGE_BYTES} byte limit`)
      return
    }
    const raw = new Uint8Array(await new Response(message.raw).arrayBuffer())
    const db = database(env)
    try {
      // Analysed in this invocation (Workers have no worker threads): see the README, "Receiving mail".
      await receiveMail(db, { raw, provider: 'cloudflare', envelope: { from: message.from, to: [message.to] } })
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw new Error('database unavailable; retry later')
      throw error
    } finally {
      ctx.waitUntil(db.end())
    }
  },

  /**
   * Cron (every minute, wrangler.toml): the same tick as the Node scheduler (due digests, alerts),
   * then the job queue drained for a bounded time. Throwing marks the invocation failed in the
   * dashboard; the next minute tries again, and nothing is claimed twice.
   */
  async scheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) {
    const settings = settingsFrom(env)
    if (!settings.ok) throw new Error(`Misconfigured: ${settings.problems.join('; ')}`)
    const db = database(env)
    try {
      const mailer = createMailer(db, settings.env)
      const summary = await runScheduledTick(
        { db, env: settings.env, handlers: jobHandlers({ mailer }) },
        { now: new Date(controller.scheduledTime), drainMs: scheduledDrainMs },
      )
      const queued = (list: { status: string }[]) => list.filter((x) => x.status === 'queued').length
      console.log(`scheduled ${controller.cron}: ${queued(summary.digests)} digests, ${queued(summary.alerts)} alerts queued; jobs ${JSON.stringify(summary.jobs)}`)
    } finally {
      ctx.waitUntil(db.end())
    }
  },
}
