import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { signInLinkFor } from './auth/sign-in.ts'
import { createAnalysisPool } from './intake/analysis-pool.ts'
import { createMailer } from './outbound/mailer.ts'
import { jobHandlers } from './jobs/handlers.ts'
import { startJobLoop } from './jobs/runner.ts'
import { onJobsCommitted } from './jobs/wake.ts'
import { startScheduler } from './jobs/scheduler.ts'
import { demoOrg, ensureDemoOrg } from './orgs/demo.ts'
import { exitOnStartupError, loadEnv, openDatabase, recordServerUrl } from './runtime.ts'
import { loadStaticAssets } from './static-assets.ts'
import { shippedMigrations } from './setup/migration-files.ts'
import { preloadLanguageDetector } from './intake/language.ts'

const started = performance.now()
const env = loadEnv()
const database = await openDatabase(env).catch((error: unknown) => exitOnStartupError(error, env))
/** Start-up failed after the database was opened: an embedded PostgreSQL stops with us. */
const stopAndExit = async (error: unknown): Promise<never> => {
  await database.close().catch(() => {})
  return exitOnStartupError(error, env)
}
const { applied } = await database.migrate().catch(stopAndExit)
if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`)
if (env.DESK_DEMO && (await ensureDemoOrg(database.db))) {
  console.log(`Created the demo organization "${demoOrg.slug}" with admin admin@example.com`)
}

const mailer = createMailer(database.db, env)
// Inbound mail is parsed on worker threads (the first started once the server is ready), so no message can
// stall the event loop that serves every organization.
const analysis = createAnalysisPool()
const app = createApp({
  db: database.db,
  env,
  assets: await loadStaticAssets(),
  mailer,
  analyze: analysis.analyze,
  migrationFiles: shippedMigrations,
})

// The port before any background work: a busy one stops start-up with nothing begun.
const server = await listen(app.fetch).catch(stopAndExit)
// The CLI and `desk worker` link to this server when they have no PUBLIC_URL of their own.
await recordServerUrl(database.db, env.PUBLIC_URL)

// Background jobs (drafts, …) in this process; every app process may run one (SKIP LOCKED).
// A one-second poll keeps "a case has a draft within a minute of arriving" with room to spare.
const jobDeps = { db: database.db, env, handlers: jobHandlers({ mailer }), analyze: analysis.analyze }
const jobLoop = startJobLoop(jobDeps, { intervalMs: 1000 })
// Intake's draft jobs start as soon as their case commits (src/jobs/wake.ts), not at the next poll.
onJobsCommitted(() => jobLoop.wake())
// Daily digests and immediate alerts: claimed in Postgres, so every app process may run this too.
const scheduler =
  env.SCHEDULER_INTERVAL_SECONDS > 0
    ? startScheduler({ ...jobDeps }, { intervalMs: env.SCHEDULER_INTERVAL_SECONDS * 1000, onQueued: () => jobLoop.wake() })
    : null

// A sign-in link printed to the console, so a fresh clone can sign in with no mail set up. Only
// with DESK_DEMO, which is off by default with DATABASE_URL: logs of a real deployment must not
// hold a live admin link.
if (env.DESK_DEMO) {
  const link = await signInLinkFor({ db: database.db, env }, 'admin@example.com', demoOrg.slug)
  if (link.ok) console.log(`Sign in as admin@example.com (single use, 15 minutes): ${link.url}`)
}

const where = database.embedded ? `embedded PostgreSQL in ${env.DATA_DIR}/` : 'DATABASE_URL'
console.log(`Escalation Desk is ready at ${env.PUBLIC_URL} (${where}, ${Math.round(performance.now() - started)} ms)`)
// The analysis worker and the language detector's tables, started while the server is idle rather
// than by the first message (together about a second).
analysis.warm()
setImmediate(preloadLanguageDetector)

/** Resolves once the port is bound; rejects with the listen error (EADDRINUSE, EACCES…). */
function listen(fetch: typeof app.fetch): Promise<ReturnType<typeof serve>> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: env.PORT, hostname: env.HOST }, () => {
      server.off('error', reject)
      resolve(server)
    })
    server.once('error', reject)
  })
}

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
