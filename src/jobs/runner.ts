import type { Analyzer } from '../intake/analyze.ts'
import { isDatabaseUnavailable, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { every, type Loop } from './every.ts'
import { claimJobs, completeJob, failJob, type Job } from './queries.ts'

export type JobContext = JobDeps & {
  /** Marks the job done inside the handler's own (org) transaction, so the work commits with it. */
  complete: (tx: Tx) => Promise<void>
}
/** Thrown by a handler to have its job retried at a given time (a provider's retry-after). */
export class RetryAt extends Error {
  constructor(
    message: string,
    readonly retryAt: Date,
  ) {
    super(message)
  }
}

/** Throws to retry later (with backoff, or at RetryAt's time); returns when the job is finished. */
export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>
export type JobHandlers = Record<string, JobHandler>

export type JobDeps = {
  db: Db
  env: Env
  handlers: JobHandlers
  workerId?: string
  /** How long a claimed job is reserved for its runner; after that another runner may take it. */
  leaseSeconds?: number
  /** Delay before retrying after the n-th failed attempt. */
  backoffMs?: (attempt: number) => number
  log?: (line: string) => void
  /** How stored mail is analysed when the scheduler's sweep finishes it (Node: the worker pool). */
  analyze?: Analyzer
}

export type RunOptions = { limit?: number; orgId?: string | null; jobId?: string | null }
export type RunSummary = { claimed: number; done: number; retried: number; failed: number }

/** 10 s, 20 s, 40 s, … capped at 30 minutes. */
export const defaultBackoffMs = (attempt: number) => Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 30 * 60_000)

const newWorkerId = () => `runner-${globalThis.crypto.randomUUID().slice(0, 8)}`

/**
 * Claims due jobs (any org unless scoped) and runs them, a few at a time. Claiming is one owner
 * statement; each handler works in its own short withOrg transactions, so nothing holds a
 * transaction open across a slow call (it would hold a pool connection, and its locks, for as
 * long as the call takes).
 */
export async function runJobsOnce(deps: JobDeps, options: RunOptions = {}): Promise<RunSummary> {
  const workerId = (deps.workerId ??= newWorkerId())
  const jobs = await claimJobs(deps.db, {
    kinds: Object.keys(deps.handlers),
    limit: options.limit ?? 4,
    workerId,
    leaseSeconds: deps.leaseSeconds ?? 300,
    orgId: options.orgId,
    jobId: options.jobId,
  })
  const summary: RunSummary = { claimed: jobs.length, done: 0, retried: 0, failed: 0 }
  await Promise.all(
    jobs.map(async (job) => {
      const outcome = await runOne(deps, workerId, job)
      summary[outcome]++
    }),
  )
  return summary
}

async function runOne(deps: JobDeps, workerId: string, job: Job): Promise<'done' | 'retried' | 'failed'> {
  const log = deps.log ?? ((line: string) => console.error(line))
  if (job.attempts > job.maxAttempts) {
    // Its runner stopped during the last attempt (the lease ran out): nothing is left to try.
    await failJob(deps.db, job.id, workerId, 'gave up: the runner stopped during the last attempt', null)
    return 'failed'
  }
  try {
    await deps.handlers[job.kind]!(job, { ...deps, complete: (tx) => completeJob(tx, job.id) })
    await completeJob(deps.db, job.id)
    return 'done'
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    const last = job.attempts >= job.maxAttempts
    // A handler may name the time itself (a provider's retry-after); otherwise back off.
    const retryAt = last
      ? null
      : error instanceof RetryAt
        ? error.retryAt
        : new Date(Date.now() + (deps.backoffMs ?? defaultBackoffMs)(job.attempts))
    log(`job ${job.kind} #${job.id} failed (attempt ${job.attempts}/${job.maxAttempts})${last ? ', giving up' : ''}: ${message}`)
    await failJob(deps.db, job.id, workerId, message, retryAt)
    return last ? 'failed' : 'retried'
  }
}

/** Runs one just-enqueued job now, in this process (e.g. "Redraft"); the loop skips it while leased. */
export async function runJobNow(deps: JobDeps, jobId: string): Promise<RunSummary> {
  return runJobsOnce(deps, { jobId, limit: 1 })
}

export type JobLoop = Loop

/**
 * Runs jobs in the background: drains what is due, then waits intervalMs (or a wake()). One tick
 * at a time, so the loop never queues behind itself on a busy pool.
 */
export function startJobLoop(deps: JobDeps, options: { intervalMs: number; limit?: number; orgId?: string | null }): JobLoop {
  const log = deps.log ?? ((line: string) => console.error(line))
  const limit = options.limit ?? 4
  return every(options.intervalMs, async (stopped) => {
    try {
      // A full batch means more may be due: keep draining before waiting again.
      while ((await runJobsOnce(deps, { limit, orgId: options.orgId })).claimed >= limit && !stopped()) {
        /* next batch */
      }
    } catch (error) {
      // A database restart is routine; the next tick tries again.
      if (!isDatabaseUnavailable(error)) log(`job loop: ${(error as Error).message}`)
    }
  })
}
