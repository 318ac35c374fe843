import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { signInLinkFor } from './auth/sign-in.ts'
import { createAnalysisPool } from './intake/analysis-pool.ts'
import { createMailer } from './outbound/mailer.ts'
import { jobHandlers } from './jobs/handlers.ts'
import { startJobLoop } from './jobs/runner.ts'
import { startScheduler } from './jobs/scheduler.ts'
import { migrate } from './migrate.ts'
import { demoOrg, ensureDemoOrg } from './orgs/demo.ts'
import { loadEnv, openDatabase } from './runtime.ts'
import { loadStaticAssets } from './static-assets.ts'

const started = performance.now()
const env = loadEnv()
const database = await openDatabase(env).catch((error: Error) => {
  console.error(`Escalation Desk cannot start: ${error.message}`)
  process.exit(1)
})
const { applied } = await migrate(database.db).catch(async (error: Error) => {
  console.error(`Escalation Desk cannot start: ${error.message}`)
  await database.close() // an embedded PostgreSQL stops with us
  process.exit(1)
})
if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`)
if (env.DESK_DEMO && (await ensureDemoOrg(database.db))) {
  console.log(`Created the demo organization "${demoOrg.slug}" with admin admin@example.com`)
}

const mailer = createMailer(database.db, env)
// Inbound mail is parsed on worker threads (started with the first message), so no message can
// stall the event loop that serves every organization.
const analysis = createAnalysisPool()
const app = createApp({
  db: database.db,
  env,
  assets: await loadStaticAssets(),
  mailer,
  analyze: analysis.analyze,
})

// Background jobs (drafts, …) in this process; every app process may run one (SKIP LOCKED).
// A one-second poll keeps "a case has a draft within a minute of arriving" with room to spare.
const jobDeps = { db: database.db, env, handlers: jobHandlers({ mailer }), analyze: analysis.analyze }
const jobLoop = startJobLoop(jobDeps, { intervalMs: 1000 })
// Daily digests and immediate alerts: claimed in Postgres, so every app process may run this too.
const scheduler = env.SCHEDULER_INTERVAL_SECONDS > 0
  ? startScheduler({ ...jobDeps }, { intervalMs: env.SCHEDULER_INTERVAL_SECONDS * 1000, onQueued: () => jobLoop.wake() })
  : null

// A sign-in link printed to the console, so a fresh clone can sign in with no mail set up. Only
// with DESK_DEMO, which is off by default with DATABASE_URL: logs of a real deployment must not
// hold a live admin link.
if (env.DESK_DEMO) {
  const link = await signInLinkFor({ db: database.db, env }, 'admin@example.com', demoOrg.slug)
  if (link.ok) console.log(`Sign in as admin@example.com (single use, 15 minutes): ${link.url}`)
}

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => {
  const where = database.embedded ? `embedded PostgreSQL in ${env.DATA_DIR}/` : 'DATABASE_URL'
  console.log(`Escalation Desk is ready at ${env.PUBLIC_URL} (${where}, ${Math.round(performance.now() - started)} ms)`)
})

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`${signal}: stopping`)
  server.close()
  await scheduler?.stop()
  await jobLoop.stop()
  await analysis.close()
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
