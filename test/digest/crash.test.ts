import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db } from '../../src/db.ts'
import { claimDigest } from '../../src/digest/digest.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { claimJobs } from '../../src/jobs/queries.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { createResendMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { arrangeCase, backdateOrg, minutes } from '../support/digest.ts'
import { repoRoot } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

const env = testEnv({ PUBLIC_URL: 'https://desk.example.test' })

describe('a digest goes out exactly once, whatever crashes', () => {
  let db: Db
  let resend: Awaited<ReturnType<typeof startResendServer>>
  const mailer = () => createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })
  const digestsFor = (org: Org) => resend.emails.filter((e) => e.idempotencyKey?.startsWith(`digest/${org.id}/`))
  const runFor = async (org: Org) =>
    await db`select status, provider_id, attempts from digest_runs r left join jobs j on j.id = r.job_id where r.org_id = ${org.id}`

  /** An org whose digest is due at any hour (UTC, 00:00) with something to say and someone to tell. */
  async function dueOrg(): Promise<Org> {
    const org = await seedOrg(db, { timezone: 'UTC' })
    await db`update orgs set digest_hour = 0 where id = ${org.id}`
    await backdateOrg(db, org.id)
    await seedUser(db, org.id, 'approver')
    // Overdue for days: the digest's news, no longer the escalation chain's (it looks back a day).
    await arrangeCase(db, org.id, {
      subject: 'Overdue',
      nextDeadlineAt: new Date(Date.now() - minutes(3 * 1440)),
      nextAtRiskAt: new Date(Date.now() - minutes(3 * 1440 + 60)),
    })
    return org
  }
  const worker = (org: Org) =>
    spawn(process.execPath, ['src/desk.mjs', 'worker', '--org', org.slug, '--interval-ms', '100'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: testDatabaseUrl(),
        DESK_DEMO: '0',
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: resend.baseUrl,
      },
      stdio: 'ignore',
    })
  const exited = (child: ChildProcess) => new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)))
  const until = async (check: () => Promise<boolean>, ms = 15_000) => {
    for (const started = Date.now(); Date.now() - started < ms;) {
      if (await check()) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error('timed out')
  }

  beforeAll(async () => {
    db = testDb(4)
    resend = await startResendServer()
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  it('claimed, then the process died before (or while) running the job: the next runner sends it, once', async () => {
    const org = await dueOrg()
    const now = new Date()
    const claim = await claimDigest(db, env, org.id, now, 'doomed scheduler')
    expect(claim.status).toBe('queued')
    // A runner took the job and died holding its lease.
    const [taken] = await claimJobs(db, { kinds: ['digest_send'], limit: 1, workerId: 'doomed runner', leaseSeconds: 300, orgId: org.id })
    expect(taken).toBeTruthy()
    const deps = { db, env, handlers: jobHandlers({ mailer: mailer() }), log: () => {} }
    // Another scheduler ticks: the day is taken; the job is leased, so nothing is sent yet.
    const during = await runScheduledTick(deps, { now, orgIds: [org.id], drainMs: 2000 })
    expect(during.digests).toEqual([])
    expect(digestsFor(org)).toHaveLength(0)
    // The lease runs out; the next tick's drain sends it.
    await db`update jobs set locked_until = now() - interval '1 second' where id = ${taken!.id}`
    const after = await runScheduledTick(deps, { now: new Date(now.getTime() + minutes(1)), orgIds: [org.id], drainMs: 5000 })
    expect(after.jobs.done).toBe(1)
    expect(digestsFor(org)).toHaveLength(1)
    expect((await runFor(org))[0]).toMatchObject({ status: 'sent', provider_id: digestsFor(org)[0]!.id })
  })

  it(
    'a worker killed after Resend accepted the digest, before recording it: the retry does not send it twice',
    { timeout: 60_000 },
    async () => {
      const org = await dueOrg()
      const held = resend.holdNextAnswer()
      const first = worker(org) // its scheduler claims the digest at start, its job loop sends it
      const release = await held // Resend has accepted and stored the email; its answer is in flight
      first.kill('SIGKILL')
      await exited(first)
      release()
      expect(digestsFor(org)).toHaveLength(1)
      expect((await runFor(org))[0]).toMatchObject({ status: 'queued' })

      await db`update jobs set locked_until = now() - interval '1 second' where org_id = ${org.id} and kind = 'digest_send'`
      const second = worker(org)
      try {
        await until(async () => (await runFor(org))[0]?.status === 'sent')
      } finally {
        second.kill('SIGTERM')
        await exited(second)
      }
      const runs = await runFor(org)
      expect(runs).toEqual([expect.objectContaining({ status: 'sent', provider_id: digestsFor(org)[0]!.id, attempts: 2 })])
      expect(digestsFor(org)).toHaveLength(1) // the same idempotency key: Resend answered with the first email
      expect(resend.emails.filter((e) => e.idempotencyKey === digestsFor(org)[0]!.idempotencyKey)).toHaveLength(1)
    },
  )

  it('two `desk worker` processes started together: one digest', { timeout: 60_000 }, async () => {
    const org = await dueOrg()
    const workers = [worker(org), worker(org)]
    try {
      await until(async () => (await runFor(org))[0]?.status === 'sent')
      await new Promise((r) => setTimeout(r, 500)) // room for a second send, were there one
    } finally {
      for (const w of workers) w.kill('SIGTERM')
      await Promise.all(workers.map(exited))
    }
    expect(await runFor(org)).toHaveLength(1)
    expect(digestsFor(org)).toHaveLength(1)
  })
})
