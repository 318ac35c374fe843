// Vercel entry (Node.js runtime): the same app as `npm start`, bundled by src/vercel-build.mjs into
// a Vercel function that serves every path (vercel.json). No process outlives a request, so the
// jobs a write queues run right after its response (waitUntil), and the scheduler tick runs from
// GET /api/cron/tick, which Vercel Cron (or any scheduler) calls with the CRON_SECRET.
import { createHash, timingSafeEqual } from 'node:crypto'
import { waitUntil as vercelWaitUntil } from '@vercel/functions'
import { bundledAssets } from './bundled-assets.ts'
import { connect, isDatabaseUnavailable, type Db } from './db.ts'
import { parseEnv, type Env } from './env.ts'
import { createAnalysisPool, type AnalysisPool } from './intake/analysis-pool.ts'
import { createMailer } from './outbound/mailer.ts'
import { describeTick, runCronTick, serveRequest, type WaitUntil } from './serverless.ts'

/** What Vercel passes a Web-standard handler besides the request (non-Next.js functions). */
export type VercelContext = { waitUntil?: WaitUntil }

export const cronTickPath = '/api/cron/tick'

/**
 * Settings from the function's environment. On Vercel the request host and client address come
 * from Vercel's proxy, which overwrites X-Forwarded-For and X-Forwarded-Host, so TRUST_PROXY
 * defaults to on; PUBLIC_URL defaults to the project's production domain.
 */
export function vercelSettings(source: Record<string, string | undefined> = process.env) {
  const production = source.VERCEL_PROJECT_PRODUCTION_URL
  return parseEnv({ TRUST_PROXY: '1', ...(production ? { PUBLIC_URL: `https://${production}` } : {}), ...source })
}

// Inbound mail is parsed on worker threads, as in `npm start`: with Fluid compute one instance
// serves many requests at once, and a runaway parse must not stall them, nor run into the
// function's time limit on every retry instead of being quarantined after its own 5 s. One pool
// per instance, started by the first message (a request that receives none starts no thread).
let analysis: AnalysisPool | undefined
const analyze: AnalysisPool['analyze'] = (raw, org, limits) => (analysis ??= createAnalysisPool({ size: 1 })).analyze(raw, org, limits)

// A pool per request, ended when its deferred work is done: the pooler in front pools for real,
// and a function suspended between requests cannot close idle connections it kept.
const database = (env: Env & { DATABASE_URL: string }): Db => connect(env.DATABASE_URL, { max: 3, pooled: env.DATABASE_POOLED })

export default {
  async fetch(request: Request, context?: VercelContext): Promise<Response> {
    const waitUntil = context?.waitUntil ?? vercelWaitUntil
    const settings = vercelSettings()
    if (!settings.ok) return new Response(`Misconfigured: ${settings.problems.join('; ')}\n`, { status: 500 })
    const env = settings.env
    if (!env.DATABASE_URL)
      return new Response('Misconfigured: DATABASE_URL is required on Vercel (there is no embedded database)\n', { status: 500 })
    const db = database({ ...env, DATABASE_URL: env.DATABASE_URL })
    const deps = { db, env, assets: bundledAssets, mailer: createMailer(db, env), analyze }
    if (new URL(request.url).pathname === cronTickPath) return cronTick(request, deps, waitUntil)
    return serveRequest(request, deps, waitUntil)
  },
}

/**
 * The scheduler tick: due digests and alerts, stranded mail, audit checkpoints, then the job
 * queue for a bounded time. Only with `Authorization: Bearer <CRON_SECRET>`, as Vercel Cron
 * sends it; GET (Vercel Cron) or POST (another scheduler). Anyone else gets 401 and nothing runs.
 */
async function cronTick(request: Request, deps: Parameters<typeof runCronTick>[0], waitUntil: WaitUntil): Promise<Response> {
  try {
    if (!deps.env.CRON_SECRET) return Response.json({ error: 'the tick is off until CRON_SECRET is set' }, { status: 503 })
    if (!bearerMatches(request.headers.get('authorization'), deps.env.CRON_SECRET)) {
      return Response.json({ error: 'unauthorized' }, { status: 401, headers: { 'www-authenticate': 'Bearer' } })
    }
    if (request.method !== 'GET' && request.method !== 'POST') return Response.json({ error: 'GET or POST' }, { status: 405 })
    const summary = await runCronTick(deps, new Date())
    console.log(`cron tick: ${describeTick(summary)}`)
    return Response.json({ status: 'ok', jobs: summary.jobs })
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error
    return Response.json({ error: 'database unavailable' }, { status: 503 })
  } finally {
    waitUntil(deps.db.end())
  }
}

/** Compares digests, so the time taken says nothing about how much of the secret matched. */
function bearerMatches(header: string | null, secret: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${secret}`))
}
