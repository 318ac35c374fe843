import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { claimJobs, getJob, insertJob } from '../../src/jobs/queries.ts'
import { runJobsOnce, startJobLoop, type JobHandlers } from '../../src/jobs/runner.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedOrg, testDb } from '../support/db.ts'

describe('jobs runner', () => {
  let db: Db
  let org: Org
  const env = testEnv()
  const kind = () => `test_${randomBytes(4).toString('hex')}`
  const enqueue = (k: string, n: number) =>
    withOrg(db, org.id, async (tx) => Promise.all(Array.from({ length: n }, (_, i) => insertJob(tx, org.id, k, { i }))))

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
  })
  afterAll(() => db.end())

  it('a new case has a draft after one run, and its job is done', async () => {
    const c = await seedCase(db, org.id)
    const summary = await runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: org.id })
    expect(summary).toMatchObject({ claimed: 1, done: 1 })
    const drafts = await withOrg(
      db,
      org.id,
      (tx) => tx`select version, author_kind, author, fallback_reason from drafts where case_id = ${c.id}`,
    )
    expect(drafts).toEqual([{ version: 1, author_kind: 'template', author: 'template', fallback_reason: 'no_api_key' }])
    const [job] = await withOrg(db, org.id, (tx) => tx`select done_at, attempts from jobs where payload->>'caseId' = ${c.id}`)
    expect(job!.done_at).toBeInstanceOf(Date)
    expect(job!.attempts).toBe(1)
    expect((await auditActions(db, org.id, c.id)).map((e) => e.action)).toEqual(['case.create', 'draft.create'])
    // Nothing left to do: a second run claims nothing.
    expect((await runJobsOnce({ db, env, handlers: jobHandlers() }, { orgId: org.id })).claimed).toBe(0)
  })

  it('a long subject still gets a draft, with the whole subject (only the sent header is shortened)', async () => {
    // "Re: " + a 400-character subject passed the drafts' 300-character limit: the job failed five
    // times and the case showed "a draft is being written" forever. Subjects are stored whole
    // (sql/00020); test/approvals/long-subject.test.ts follows one to the sent mail.
    const long = `My order never arrived ${'and nobody answers my calls '.repeat(14)}`.trim()
    const c = await seedCase(db, org.id, { subject: long })
    const summary = await runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: org.id, limit: 50 })
    expect(summary.failed + summary.retried).toBe(0)
    const [draft] = await withOrg(db, org.id, (tx) => tx<{ subject: string }[]>`select subject from drafts where case_id = ${c.id}`)
    const [kase] = await withOrg(db, org.id, (tx) => tx<{ subject: string }[]>`select subject from cases where id = ${c.id}`)
    expect(draft!.subject).toBe(`Re: ${kase!.subject}`)
    expect(draft!.subject.length).toBeGreaterThan(300)
  })

  it('two runners in parallel claim disjoint jobs, and every job runs exactly once', async () => {
    const k = kind()
    const ids = await enqueue(k, 24)
    const ran: { runner: string; id: string }[] = []
    const handlers = (runner: string): JobHandlers => ({
      [k]: async (job) => {
        ran.push({ runner, id: job.id })
        await new Promise((r) => setTimeout(r, 15))
      },
    })
    const drain = async (runner: string) => {
      const deps = { db, env, handlers: handlers(runner), workerId: runner }
      while ((await runJobsOnce(deps, { orgId: org.id, limit: 3 })).claimed > 0) {
        /* keep going */
      }
    }
    await Promise.all([drain('a'), drain('b')])
    expect(ran.map((r) => r.id).sort()).toEqual([...ids].sort())
    expect(new Set(ran.map((r) => r.id)).size).toBe(ids.length)
    expect(new Set(ran.map((r) => r.runner))).toEqual(new Set(['a', 'b']))
  })

  it('a claimed job is leased: another runner cannot take it until the lease runs out', async () => {
    const k = kind()
    const [id] = await enqueue(k, 1)
    const crashed = await claimJobs(db, { kinds: [k], limit: 1, workerId: 'crashed', leaseSeconds: 300, orgId: org.id })
    expect(crashed.map((j) => j.id)).toEqual([id])
    const seen: string[] = []
    const deps = { db, env, handlers: { [k]: async (job: { id: string }) => void seen.push(job.id) }, workerId: 'healthy' }
    expect((await runJobsOnce(deps, { orgId: org.id })).claimed).toBe(0)
    await db`update jobs set locked_until = now() - interval '1 second' where id = ${id!}`
    expect(await runJobsOnce(deps, { orgId: org.id })).toMatchObject({ claimed: 1, done: 1 })
    expect(seen).toEqual([id])
    expect(await getJob(db, id!)).toMatchObject({ attempts: 2, lockedBy: 'healthy' })
  })

  it('a failing handler is retried with growing backoff, then given up with its last error', async () => {
    const k = kind()
    const [id] = await enqueue(k, 1)
    await db`update jobs set max_attempts = 3 where id = ${id!}`
    let calls = 0
    const lines: string[] = []
    const deps = {
      db,
      env,
      handlers: {
        [k]: async () => {
          throw new Error(`boom ${++calls}`)
        },
      },
      log: (l: string) => void lines.push(l),
    }
    const delays: number[] = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = Date.now()
      const summary = await runJobsOnce(deps, { orgId: org.id })
      expect(summary).toMatchObject({ claimed: 1, ...(attempt < 3 ? { retried: 1 } : { failed: 1 }) })
      const job = (await getJob(db, id!))!
      expect(job).toMatchObject({ attempts: attempt, lastError: `Error: boom ${attempt}`, doneAt: null })
      if (attempt < 3) {
        expect(job.failedAt).toBeNull()
        delays.push(job.runAt.getTime() - before)
        // Not due yet: a run now claims nothing. Then time passes.
        expect((await runJobsOnce(deps, { orgId: org.id })).claimed).toBe(0)
        await db`update jobs set run_at = now() where id = ${id!}`
      } else {
        expect(job.failedAt).toBeInstanceOf(Date)
      }
    }
    expect(delays[0]).toBeGreaterThan(9_000)
    expect(delays[0]).toBeLessThan(11_000)
    expect(delays[1]).toBeGreaterThan(19_000)
    expect(delays[1]).toBeLessThan(21_000)
    expect(lines.at(-1)).toMatch(/failed \(attempt 3\/3\), giving up: Error: boom 3/)
    // Given up: never claimed again.
    expect((await runJobsOnce(deps, { orgId: org.id })).claimed).toBe(0)
    expect(calls).toBe(3)
  })

  it('only claims kinds it has a handler for', async () => {
    const k = kind()
    const [id] = await enqueue(k, 1)
    expect((await runJobsOnce({ db, env, handlers: { [kind()]: async () => {} } }, { orgId: org.id })).claimed).toBe(0)
    expect(await getJob(db, id!)).toMatchObject({ attempts: 0, lockedBy: null })
  })

  it('the background loop drains due jobs and stops cleanly', async () => {
    const k = kind()
    const ids = await enqueue(k, 6)
    const ran: string[] = []
    const loop = startJobLoop(
      { db, env, handlers: { [k]: async (job) => void ran.push(job.id) } },
      { intervalMs: 50, limit: 2, orgId: org.id },
    )
    const deadline = Date.now() + 5000
    while (ran.length < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    await loop.stop()
    expect(ran.sort()).toEqual([...ids].sort())
  })
})
