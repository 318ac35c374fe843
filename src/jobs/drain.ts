import { runJobsOnce, type JobDeps, type RunSummary } from './runner.ts'

export type DrainOptions = {
  /** Stop claiming once this much time has passed; jobs claimed by then run to the end. */
  forMs: number
  /** Only these orgs' jobs (tests, `desk worker --org`); all orgs when unset. */
  orgIds?: string[] | null
}

/**
 * Runs due jobs until none is left or the time is up. For runtimes where no job loop runs: the
 * cron tick on Workers and Vercel, and the work a request queued there, drained right after its
 * response. Claims are SKIP LOCKED, so any number of drains may run at once.
 */
export async function drainJobs(deps: JobDeps, options: DrainOptions): Promise<RunSummary> {
  const total: RunSummary = { claimed: 0, done: 0, retried: 0, failed: 0 }
  const until = Date.now() + options.forMs
  const scopes = options.orgIds ?? [null]
  let claimedThisRound: number
  do {
    claimedThisRound = 0
    for (const orgId of scopes) {
      const round = await runJobsOnce(deps, { orgId })
      claimedThisRound += round.claimed
      for (const k of ['claimed', 'done', 'retried', 'failed'] as const) total[k] += round[k]
    }
  } while (claimedThisRound > 0 && Date.now() < until)
  return total
}
