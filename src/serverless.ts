import { createApp } from './app.ts'
import { isDatabaseUnavailable } from './db.ts'
import type { AppDeps } from './http/app-env.ts'
import { drainJobs } from './jobs/drain.ts'
import { jobHandlers } from './jobs/handlers.ts'
import type { JobDeps } from './jobs/runner.ts'
import { runScheduledTick, type TickSummary } from './jobs/scheduler.ts'

// Workers and Vercel: no process of the desk's own outlives a request there, so no job loop
// runs. A request that may have queued work (new mail queues its draft, an approval the send of
// the reply) drains the queue right after its response, inside the platform's waitUntil; the
// cron tick, every minute, runs whatever that left (a job whose invocation was stopped, a retry
// that was not due yet, the digests and alerts it queues itself).

/** Keeps the invocation alive until the work settles (Workers' ctx.waitUntil, Vercel's waitUntil). */
export type WaitUntil = (work: Promise<unknown>) => void

/**
 * How long the work after a response keeps claiming jobs. Jobs claimed by then run to the end:
 * a draft is one OpenAI call (OPENAI_TIMEOUT_MS, 20 s, and one retry), a send one Resend call,
 * which all fit in what Workers allow after a response (30 s) and in Vercel's maxDuration (60 s).
 */
export const afterResponseDrainMs = 10_000

/** How long the cron tick keeps claiming jobs after its own work (the same reasoning, one minute apart). */
export const cronDrainMs = 15_000

/**
 * The lease on a job claimed here. An invocation the platform stops mid-job never gives its
 * claim back; once the lease runs out, the next drain (a request's or the minute's tick) takes
 * the job again. Longer than any invocation may run, so a live one never loses its job to
 * another, and short enough that a stopped one costs two minutes, not the Node runner's five.
 */
export const serverlessLeaseSeconds = 120

/**
 * Serves one request, then drains jobs it may have queued. deps.db is the request's own pool,
 * ended once the deferred work is done: a pool left idle in a suspended function holds
 * connections it cannot close. `bindings` is what the app sees as its env (Workers' bindings).
 */
export async function serveRequest(request: Request, deps: AppDeps, waitUntil: WaitUntil, bindings?: unknown): Promise<Response> {
  const deferred: Promise<unknown>[] = []
  const executionCtx = { waitUntil: (work: Promise<unknown>) => void deferred.push(work), passThroughOnException() {}, props: {} }
  const response = await createApp(deps).fetch(request, bindings, executionCtx)
  if (mayHaveQueuedJobs(request, response)) deferred.push(drainAfterResponse(deps))
  waitUntil(Promise.allSettled(deferred).then(() => deps.db.end()))
  return response
}

/** A GET never changes state, so only a write that succeeded can have queued a job. */
function mayHaveQueuedJobs(request: Request, response: Response): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method) && response.status < 400
}

function serverlessJobDeps(deps: Pick<AppDeps, 'db' | 'env' | 'mailer' | 'analyze'>): JobDeps {
  return {
    db: deps.db,
    env: deps.env,
    handlers: jobHandlers({ mailer: deps.mailer }),
    leaseSeconds: serverlessLeaseSeconds,
    analyze: deps.analyze,
  }
}

/** Runs the jobs due now for a bounded time; failures are logged, never thrown (nobody awaits them). */
export async function drainAfterResponse(deps: Pick<AppDeps, 'db' | 'env' | 'mailer' | 'analyze'>): Promise<void> {
  try {
    await drainJobs(serverlessJobDeps(deps), { forMs: afterResponseDrainMs })
  } catch (error) {
    // Nobody waits for this work: what it could not claim, the next tick runs.
    if (!isDatabaseUnavailable(error)) console.error('draining jobs after the response failed:', error)
  }
}

/** The scheduler tick of a cron invocation (Workers' scheduled, Vercel's cron route), then a bounded drain. */
export function runCronTick(deps: Pick<AppDeps, 'db' | 'env' | 'mailer' | 'analyze'>, now: Date): Promise<TickSummary> {
  return runScheduledTick(serverlessJobDeps(deps), { now, drainMs: cronDrainMs })
}

/** One line for the platform's log of cron invocations. */
export function describeTick(summary: TickSummary): string {
  const queued = (list: { status: string }[]) => list.filter((x) => x.status === 'queued').length
  return `${queued(summary.digests)} digests, ${queued(summary.alerts)} alerts queued; jobs ${JSON.stringify(summary.jobs)}`
}
