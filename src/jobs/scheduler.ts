import { postDailyCheckpoints, type CheckpointPost } from '../audit/checkpoint-schedule.ts'
import { isDatabaseUnavailable } from '../db.ts'
import { deleteExpiredSubmissions } from '../http/idempotency.ts'
import { enqueueAlerts, type AlertClaim } from '../digest/alerts.ts'
import { enqueueDueDigests, type DigestClaim } from '../digest/digest.ts'
import { sweepStrandedRaw, type SweepSummary } from '../intake/sweep.ts'
import { enqueueRetention } from '../retention/retention.ts'
import { every } from './every.ts'
import { drainJobs } from './drain.ts'
import type { JobDeps, RunSummary } from './runner.ts'

export type TickOptions = {
  /** The instant the tick stands for (Cloudflare's scheduledTime; tests pick one). Default: now. */
  now?: Date
  /** After enqueueing, run due jobs until none is left or this much time has passed (0: leave them to the job loop). */
  drainMs?: number
  /** Only these orgs (tests, `desk worker --org`). */
  orgIds?: string[] | null
  /** Raw messages still unprocessed this long after they were stored count as stranded (tests pick 0). */
  strandedAfterMs?: number
}

export type TickSummary = {
  digests: DigestClaim[]
  alerts: AlertClaim[]
  recovered: SweepSummary
  checkpoints: CheckpointPost[]
  /** Orgs whose daily retention job this tick queued. */
  retention: string[]
  jobs: RunSummary
}

/**
 * One scheduler tick, the same on every runtime: the Node server and `desk worker` call it every
 * minute beside their job loop; a Cloudflare Worker (`scheduled`) and Vercel (its cron route)
 * call it from a cron and drain the jobs themselves, because no job loop runs there. Everything
 * it does is claimed in Postgres, so any number of ticks may overlap across processes and
 * platforms.
 */
export async function runScheduledTick(deps: JobDeps, options: TickOptions = {}): Promise<TickSummary> {
  const now = options.now ?? new Date()
  const orgIds = options.orgIds ?? null
  const workerId = (deps.workerId ??= `scheduler-${globalThis.crypto.randomUUID().slice(0, 8)}`)
  const digests = await enqueueDueDigests(deps.db, deps.env, now, workerId, orgIds)
  const alerts = await enqueueAlerts(deps.db, deps.env, now, orgIds)
  // Messages a crash left stored but unprocessed; the cases they make queue their draft jobs,
  // which the drain below (Workers, Vercel) or the job loop (Node) then runs.
  const recovered = await sweepStrandedRaw(deps.db, {
    olderThanMs: options.strandedAfterMs,
    orgIds,
    log: deps.log,
    analyze: deps.analyze,
    env: deps.env,
  })
  const checkpoints = await postDailyCheckpoints(deps.db, deps.env, now, orgIds, deps.log ?? ((line) => console.error(line)))
  const retention = await enqueueRetention(deps.db, now, orgIds)
  // Expired double-submit keys (sql/00021): a day old, nobody can replay them any more.
  if (!orgIds) await deleteExpiredSubmissions(deps.db)
  const jobs: RunSummary =
    options.drainMs && options.drainMs > 0
      ? await drainJobs(deps, { forMs: options.drainMs, orgIds })
      : { claimed: 0, done: 0, retried: 0, failed: 0 }
  return { digests, alerts, recovered, checkpoints, retention, jobs }
}

export type Scheduler = { stop: () => Promise<void> }

/**
 * Runs runScheduledTick every intervalMs in this process (jobs are left to the job loop, which
 * onQueued wakes). A tick never overlaps the previous one, and a failed tick is logged and tried
 * again on the next interval: a database restart is routine.
 */
export function startScheduler(deps: JobDeps, options: { intervalMs: number; orgIds?: string[] | null; onQueued?: () => void }): Scheduler {
  const log = deps.log ?? ((line: string) => console.error(line))
  const loop = every(options.intervalMs, async () => {
    try {
      const { digests, alerts, recovered } = await runScheduledTick(deps, { orgIds: options.orgIds })
      if (digests.some((d) => d.status === 'queued') || alerts.some((a) => a.status === 'queued') || recovered.created > 0)
        options.onQueued?.()
    } catch (error) {
      if (!isDatabaseUnavailable(error)) log(`scheduler: ${(error as Error).message}`)
    }
  })
  return { stop: loop.stop }
}
