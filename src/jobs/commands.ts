import { parseArgs } from 'node:util'
import { requireOrg, type Command } from '../cli/command.ts'
import { createAnalysisPool } from '../intake/analysis-pool.ts'
import { createMailer } from '../outbound/mailer.ts'
import { loadEnv, openDatabase, withServerUrl } from '../runtime.ts'
import { jobHandlers } from './handlers.ts'
import { startJobLoop } from './runner.ts'
import { startScheduler } from './scheduler.ts'

/**
 * `desk worker`: the job runner and the scheduler (digests, alerts) without the web app, for
 * scale-out beside stateless app processes. Safe to run several: jobs and outbox rows are
 * claimed with SKIP LOCKED, digests and alerts by unique rows.
 */
export const workerCommand: Command = {
  name: 'worker',
  usage: 'worker [--org SLUG] [--interval-ms N]   run background jobs (drafts, sends, digests, alerts) until stopped',
  async run(args) {
    const { values } = parseArgs({ args, options: { org: { type: 'string' }, 'interval-ms': { type: 'string', default: '1000' } } })
    const given = loadEnv()
    const database = await openDatabase(given)
    await database.migrate()
    const org = values.org ? await requireOrg(database.db, values.org) : null
    // Digests and alerts link to the running server when this worker has no PUBLIC_URL of its own.
    const env = await withServerUrl(database.db, given)
    // The scheduler's sweep finishes stranded mail: parsed on worker threads, as on arrival.
    const analysis = createAnalysisPool()
    const deps = { db: database.db, env, handlers: jobHandlers({ mailer: createMailer(database.db, env) }), analyze: analysis.analyze }
    const loop = startJobLoop(deps, { intervalMs: Math.max(100, Number(values['interval-ms']) || 1000), orgId: org?.id ?? null })
    const scheduler =
      env.SCHEDULER_INTERVAL_SECONDS > 0
        ? startScheduler(
            { ...deps },
            { intervalMs: env.SCHEDULER_INTERVAL_SECONDS * 1000, orgIds: org ? [org.id] : null, onQueued: () => loop.wake() },
          )
        : null
    console.log(`desk worker: running jobs (${database.embedded ? 'embedded database' : 'DATABASE_URL'}); stop with Ctrl-C`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    await scheduler?.stop()
    await loop.stop()
    await analysis.close()
    await database.close()
  },
}
