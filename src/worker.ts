// Cloudflare Workers entry: the same app as the Node server, with Postgres through Hyperdrive.
// `fetch` serves the desk, `email` takes mail from Cloudflare Email Routing into the same intake,
// `scheduled` (cron, wrangler.toml) runs the scheduler tick and drains background jobs. No job
// loop runs here: what a request or an email queues runs after it has answered (src/serverless.ts).
import { bundledAssets } from './bundled-assets.ts'
import { connect, isDatabaseUnavailable } from './db.ts'
import { parseEnv, type Env } from './env.ts'
import { receiveMail } from './intake/webhooks/receive.ts'
import { createMailer } from './outbound/mailer.ts'
import { describeTick, drainAfterResponse, runCronTick, serveRequest } from './serverless.ts'

type WorkerEnv = { HYPERDRIVE: { connectionString: string } } & Record<string, unknown>
type ExecutionContext = { waitUntil(p: Promise<unknown>): void }
/** The parts of Cloudflare's ScheduledController the desk uses. */
type ScheduledController = { scheduledTime: number; cron: string }
/** The parts of Cloudflare's ForwardableEmailMessage the desk uses. */
type EmailMessage = { from: string; to: string; raw: ReadableStream<Uint8Array>; rawSize: number; setReject(reason: string): void }

function settingsFrom(env: WorkerEnv): { ok: true; env: Env } | { ok: false; problems: string[] } {
  return parseEnv(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>)
}

// Hyperdrive pools connections; a client per invocation is its recommended pattern. Type
// fetching stays on (unlike Hyperdrive's examples): the desk binds JS arrays to text[] columns.
// Hyperdrive keeps prepared statements working, so only DATABASE_POOLED=1 turns them off.
const database = (env: WorkerEnv, settings: Env) =>
  connect(env.HYPERDRIVE.connectionString, { max: 5, pooled: settings.DATABASE_POOLED ?? false })

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    const settings = settingsFrom(env)
    if (!settings.ok) return new Response(`Misconfigured: ${settings.problems.join('; ')}`, { status: 500 })
    const db = database(env, settings.env)
    // Work the app defers past the response (sign-in mail, the jobs a write queued) finishes in ctx.waitUntil.
    const deps = { db, env: settings.env, assets: bundledAssets, mailer: createMailer(db, settings.env) }
    return serveRequest(request, deps, (work) => ctx.waitUntil(work), env)
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
    const db = database(env, settings.env)
    try {
      // Analysed in this invocation (Workers have no worker threads): see the README, "Receiving mail".
      await receiveMail(db, { raw, provider: 'cloudflare', envelope: { from: message.from, to: [message.to] }, env: settings.env })
    } catch (error) {
      ctx.waitUntil(db.end())
      if (isDatabaseUnavailable(error)) throw new Error('database unavailable; retry later')
      throw error
    }
    // The message is stored and filed; its case's draft runs once Cloudflare has the answer.
    ctx.waitUntil(drainAfterResponse({ db, env: settings.env, mailer: createMailer(db, settings.env) }).finally(() => db.end()))
  },

  /**
   * Cron (every minute, wrangler.toml): the same tick as the Node scheduler (due digests, alerts),
   * then the job queue drained for a bounded time. Throwing marks the invocation failed in the
   * dashboard; the next minute tries again, and nothing is claimed twice.
   */
  async scheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) {
    const settings = settingsFrom(env)
    if (!settings.ok) throw new Error(`Misconfigured: ${settings.problems.join('; ')}`)
    const db = database(env, settings.env)
    try {
      const summary = await runCronTick(
        { db, env: settings.env, mailer: createMailer(db, settings.env) },
        new Date(controller.scheduledTime),
      )
      console.log(`scheduled ${controller.cron}: ${describeTick(summary)}`)
    } finally {
      ctx.waitUntil(db.end())
    }
  },
}
