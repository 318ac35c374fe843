import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { parseEnv, type Env } from '../../src/env.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { migrate } from '../../src/migrate.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml, seedOrg } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'
import { freePort, startServer, type Server } from '../support/process.ts'

// Fault suite: the app process itself dies (SIGKILL, no shutdown handler runs) in the middle of
// a batch of deliveries. Intake commits the raw bytes before it files them, so a request cut off
// between the two leaves its row 'received'. A third of the messages come from providers that
// retry until they get a 2xx, the rest from scripts that send once and give up. Without the
// sweep, a script's message cut off that way would sit stored and unfiled for ever.

const secret = 'kill-suite-inbound-secret-0123456789'
const SENDERS = 16
const MESSAGES = 200

type Delivery = { messageId: string; raw: Uint8Array; retries: boolean; answer?: { status: string; case: string | null } }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the server killed mid-batch, restarted, and the scheduler sweep', () => {
  const name = testDatabaseName('kill')
  let url: string
  let db: Db
  let org: Org
  let port: number
  let server: Server | undefined
  const serverEnv = () => ({
    DATABASE_URL: url,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    DESK_DEMO: '0',
    INBOUND_SECRET: secret,
    // The test runs the ticks itself, with a threshold of its choosing.
    SCHEDULER_INTERVAL_SECONDS: '0',
  })

  beforeAll(async () => {
    url = await withDatabase(name)
    db = connect(url, { max: 4 })
    await migrate(db)
    org = await seedOrg(db)
    port = await freePort()
    server = await startServer(serverEnv())
  }, 90_000)
  afterAll(async () => {
    await server?.stop()
    await db?.end({ timeout: 1 })
    await dropDatabase(name)
  })

  it('leaves no row received and no message on two cases, and files what a non-retrying sender lost', { timeout: 150_000 }, async () => {
    // Every 10th message is a redelivery of the one before (same Message-ID, new bytes).
    const deliveries: Delivery[] = []
    for (let i = 0; i < MESSAGES; i++) {
      const messageId = i % 10 === 9 ? deliveries[i - 1]!.messageId : `kill-${i}-${Date.now()}@customer.test`
      const raw = buildEml({
        to: `escalations@${org.slug}.test`,
        from: `Customer ${i} <c${i}@customer.test>`,
        subject: `Complaint ${i}`,
        messageId,
      })
      deliveries.push({ messageId, raw, retries: i % 3 === 0 })
    }
    let answered = 0
    let killedAt = -1

    async function deliver(d: Delivery) {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        const response = await fetch(`http://127.0.0.1:${port}/inbound/raw`, {
          method: 'POST',
          headers: { 'content-type': 'message/rfc822', ...signRaw(secret, d.raw) },
          body: d.raw as Uint8Array<ArrayBuffer>,
        }).catch(() => null)
        if (response?.ok) {
          d.answer = await response.json()
          answered++
          return
        }
        await response?.body?.cancel()
        if (!d.retries) return // a script: one try
        await sleep(100 + Math.random() * 200)
      }
    }
    const queue = [...deliveries]
    const sender = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await deliver(d)
    }
    const killAndRestart = async () => {
      while (answered < MESSAGES / 4) await sleep(2)
      killedAt = answered
      const exited = new Promise((resolve) => server!.child.once('exit', resolve))
      server!.child.kill('SIGKILL')
      await exited
      await sleep(300)
      server = await startServer(serverEnv())
    }
    await Promise.all([...Array.from({ length: SENDERS }, sender), killAndRestart()])
    expect(killedAt).toBeGreaterThan(0)

    type RawRow = { id: string; status: string; messageId: string; attempts: number }
    const rawRows = () =>
      withOrg(
        db,
        org.id,
        (tx) => tx<RawRow[]>`
      select id, status, process_attempts as attempts, substring(convert_from(raw, 'UTF8') from 'Message-ID: <([^>]+)>') as "messageId"
      from inbound_raw`,
      )
    const filedIds = async () =>
      new Set(
        (
          await withOrg(
            db,
            org.id,
            (tx) => tx<{ messageId: string }[]>`
      select message_id as "messageId" from messages where direction = 'inbound'`,
          )
        ).map((m) => m.messageId),
      )

    // What the kill left: rows stored and never processed, and among them messages no retry
    // will ever bring (their sender gave up), kept but on no case.
    const before = await rawRows()
    const stranded = before.filter((r) => r.status === 'received')
    const filedBefore = await filedIds()
    const lostWithoutSweep = [...new Set(stranded.map((r) => r.messageId))].filter((id) => !filedBefore.has(id))
    expect(stranded.length).toBeGreaterThan(0)
    expect(lostWithoutSweep.length).toBeGreaterThan(0)

    // The sweep, as two processes' ticks would run it at once, until nothing is left to take.
    const env = (parseEnv({ DESK_DEMO: '0', DATABASE_URL: url }) as { ok: true; env: Env }).env
    const pools = [connect(url, { max: 2 }), connect(url, { max: 2 })]
    let swept = 0
    try {
      for (;;) {
        const ticks = await Promise.all(
          pools.map((pool) =>
            runScheduledTick(
              { db: pool, env, handlers: jobHandlers({ mailer: createDevMailer(pool) }), log: () => {} },
              { orgIds: [org.id], strandedAfterMs: 0 },
            ),
          ),
        )
        const claimed = ticks.reduce((n, t) => n + t.recovered.claimed, 0)
        swept += claimed
        if (claimed === 0) break
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
    expect(swept).toBe(stranded.length)

    // No row stays received; every row ended as intake ends one (and no valid message is quarantined).
    const after = await rawRows()
    expect(after.filter((r) => r.status === 'received')).toEqual([])
    expect(after.filter((r) => !['processed', 'threaded', 'duplicate', 'quarantined'].includes(r.status))).toEqual([])
    expect(after.filter((r) => r.status === 'quarantined')).toEqual([])
    // Each stranded row was taken by exactly one sweeper, once.
    const byId = new Map(after.map((r) => [r.id, r]))
    expect(stranded.map((r) => byId.get(r.id)!.attempts)).toEqual(stranded.map(() => 1))

    // Every stored message is on exactly one case now, including the ones nobody would resend;
    // an acknowledged one is on the case its 2xx named.
    const messages = await withOrg(
      db,
      org.id,
      (tx) => tx<{ messageId: string; label: string; n: number }[]>`
      select m.message_id as "messageId", 'ESC-' || c.number as label, count(*) over (partition by m.message_id)::int as n
      from messages m join cases c on c.id = m.case_id where m.direction = 'inbound'`,
    )
    const stored = new Set(after.map((r) => r.messageId))
    expect(messages.filter((m) => m.n !== 1)).toEqual([])
    expect(new Set(messages.map((m) => m.messageId))).toEqual(stored)
    const filed = new Map(messages.map((m) => [m.messageId, m.label]))
    for (const d of deliveries.filter((x) => x.answer))
      expect({ id: d.messageId, label: filed.get(d.messageId) }).toEqual({ id: d.messageId, label: d.answer!.case })
    for (const id of lostWithoutSweep) expect(filed.has(id)).toBe(true)

    const [counts] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ cases: number; created: number; draftJobs: number; casesWithOneDraftJob: number }[]>`
      select (select count(*)::int from cases) as cases,
             (select count(*)::int from audit_events where action = 'case.create') as created,
             (select count(*)::int from jobs where kind = 'draft') as "draftJobs",
             (select count(distinct payload->>'caseId')::int from jobs where kind = 'draft') as "casesWithOneDraftJob"`,
    )
    expect(counts).toEqual({ cases: stored.size, created: stored.size, draftJobs: stored.size, casesWithOneDraftJob: stored.size })
    expect(server!.child.exitCode).toBeNull()
    console.info(
      `fault/kill-server: ${MESSAGES} deliveries from ${SENDERS} senders, SIGKILL after ${killedAt} answers; ` +
        `${before.length} raw rows stored, ${stranded.length} stranded 'received' (${lostWithoutSweep.length} messages on no case), ` +
        `${swept} swept; ${stored.size} cases`,
    )
  })
})
