import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { migrate } from '../../src/migrate.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedCase } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { signRaw } from '../support/inbound.ts'
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.ts'
import { freePort, startServer, type Server } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

// Fault suite. PostgreSQL stops under the real server — a crash (`-m immediate`,
// recovery from WAL on start) and a clean shutdown (`-m fast`, which ends every session) — on a
// private server of this file (test/support/private-postgres.ts), never the shared one.
// Promise 1 (README): a 2xx means the message is durable. Promise 2: retries land it exactly once.
// The crash-after-acceptance send without a database restart is test/outbound/send.test.ts.

const secret = 'fault-suite-inbound-secret-0123456789'
const SENDERS = 24
const MESSAGES = 480

type Attempt = { status: number | 'network'; ms: number }
type Delivery = { messageId: string; raw: Uint8Array; attempts: Attempt[]; answer?: { status: string; case: string | null } }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await sleep(100)
  }
}

// `npm install` patches postgres.js (patch-package applies patches/postgres+<version>.patch, and
// fails the install if it does not apply); without it the server dies in the first outage below.
// Said here plainly, in case node_modules was installed with --ignore-scripts or postgres.js was
// upgraded without a patch for the new version.
it('runs with the null-socket guard of patches/postgres+<version>.patch in every build of postgres.js', () => {
  const { version } = JSON.parse(
    readFileSync(fileURLToPath(new URL('../../node_modules/postgres/package.json', import.meta.url)), 'utf8'),
  ) as { version: string }
  expect(
    existsSync(fileURLToPath(new URL(`../../patches/postgres+${version}.patch`, import.meta.url))),
    `a patch for postgres ${version}`,
  ).toBe(true)
  for (const build of ['src', 'cjs/src', 'cf/src']) {
    const file = fileURLToPath(new URL(`../../node_modules/postgres/${build}/connection.js`, import.meta.url))
    expect({ build, patched: readFileSync(file, 'utf8').includes('/* desk: null-socket guard */') }).toEqual({ build, patched: true })
  }
})

describe('PostgreSQL stopped and restarted under the real server', () => {
  let pg: PrivatePostgres
  let db: Db
  let org: Org
  let server: Server
  let resend: Awaited<ReturnType<typeof startResendServer>>

  beforeAll(async () => {
    ;[pg, resend] = await Promise.all([startPrivatePostgres(), startResendServer()])
    db = connect(pg.url, { max: 4 })
    await migrate(db)
    org = await seedOrg(db)
    const port = await freePort()
    server = await startServer({
      DATABASE_URL: pg.url,
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      DESK_DEMO: '0',
      INBOUND_SECRET: secret,
      RESEND_API_KEY: 're_test_key',
      RESEND_BASE_URL: resend.baseUrl,
    })
  }, 90_000)
  afterAll(async () => {
    await server?.stop()
    await resend?.close()
    await db?.end({ timeout: 1 })
    await pg?.destroy()
  })

  it(
    'answers 2xx only for durable messages, 503 while the database is down, and lands every retried message exactly once',
    { timeout: 120_000 },
    async () => {
      const deliveries: Delivery[] = Array.from({ length: MESSAGES }, (_, i) => {
        const messageId = `fault-${i}-${Date.now()}@customer.test`
        return {
          messageId,
          raw: buildEml({
            to: `escalations@${org.slug}.test`,
            from: `Customer ${i} <c${i}@customer.test>`,
            subject: `Complaint ${i}`,
            messageId,
          }),
          attempts: [],
        }
      })
      let answered = 0
      const outages: { mode: string; ms: number }[] = []

      // A provider: signs each attempt afresh and retries anything but a 2xx.
      async function deliver(d: Delivery) {
        // (A dead server fails the test below at once instead of after every sender's deadline.)
        for (const deadline = Date.now() + 60_000; Date.now() < deadline && server.child.exitCode === null;) {
          const sentAt = Date.now()
          const response = await fetch(`${server.url}/inbound/raw`, {
            method: 'POST',
            headers: { 'content-type': 'message/rfc822', ...signRaw(secret, d.raw) },
            body: d.raw as Uint8Array<ArrayBuffer>,
          }).catch(() => null)
          d.attempts.push({ status: response?.status ?? 'network', ms: Date.now() - sentAt })
          if (response?.ok) {
            d.answer = await response.json()
            answered++
            return
          }
          await response?.body?.cancel()
          await sleep(100 + Math.random() * 200)
        }
      }
      async function sender(queue: Delivery[]) {
        for (let d = queue.shift(); d; d = queue.shift()) await deliver(d)
      }
      async function outage(after: number, mode: 'immediate' | 'fast', downMs: number) {
        while (answered < after) await sleep(5)
        const stoppedAt = Date.now()
        await pg.stop(mode)
        await sleep(downMs)
        await pg.start()
        outages.push({ mode, ms: Date.now() - stoppedAt })
      }

      const queue = [...deliveries]
      await Promise.all([
        ...Array.from({ length: SENDERS }, () => sender(queue)),
        (async () => {
          await outage(MESSAGES * 0.25, 'immediate', 1500)
          await outage(MESSAGES * 0.6, 'fast', 1000)
        })(),
      ])

      // The server lived through both outages and serves again.
      expect(server.child.exitCode).toBeNull()
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      expect(outages).toHaveLength(2)

      // Every message got its 2xx in the end. Refusals on the way were 503s (never a 500 or a
      // dropped connection), the outages were felt, and no request hung long after them.
      expect(deliveries.filter((d) => !d.answer).map((d) => d.messageId)).toEqual([])
      const attempts = deliveries.flatMap((d) => d.attempts)
      const refused = attempts.filter((a) => a.status !== 200)
      expect(refused.length).toBeGreaterThan(0)
      expect([...new Set(refused.map((a) => a.status))]).toEqual([503])
      // A hang is a connection waited on until its timeout (30 s); the slowest attempt here is 4-6 s
      // on a quiet machine and just over 10 s with the whole suite on two slow cores.
      expect(Math.max(...attempts.map((a) => a.ms))).toBeLessThan(15_000)
      for (const d of deliveries) expect(['created', 'duplicate']).toContain(d.answer!.status)

      // After the restarts: each message exactly once, on the case its 2xx named.
      const rows = await withOrg(
        db,
        org.id,
        (tx) => tx<{ messageId: string; label: string; n: number }[]>`
      select m.message_id as "messageId", 'ESC-' || c.number as label, count(*) over (partition by m.message_id)::int as n
      from messages m join cases c on c.id = m.case_id where m.direction = 'inbound'`,
      )
      const byId = new Map(rows.map((r) => [r.messageId, r]))
      for (const d of deliveries) {
        const row = byId.get(d.messageId)
        expect({ id: d.messageId, stored: row ? { n: row.n, label: row.label } : null }).toEqual({
          id: d.messageId,
          stored: { n: 1, label: d.answer!.case },
        })
      }
      expect(rows).toHaveLength(MESSAGES)
      const [counts] = await withOrg(
        db,
        org.id,
        (tx) => tx<{ cases: number; created: number }[]>`
      select (select count(*)::int from cases) as cases,
             (select count(*)::int from audit_events where action = 'case.create') as created`,
      )
      expect(counts).toEqual({ cases: MESSAGES, created: MESSAGES })

      // Every attempt that reached the database kept its raw bytes. One cut off by the outage after
      // its raw row committed leaves that row 'received' (never processed): a copy of a message
      // that its retry put on a case, so nothing is lost.
      const raws = await withOrg(db, org.id, (tx) => tx<{ status: string; sha256: string }[]>`select status, sha256 from inbound_raw`)
      const stranded = raws.filter((r) => r.status === 'received')
      const settled = new Set(raws.filter((r) => r.status === 'processed' || r.status === 'duplicate').map((r) => r.sha256))
      for (const r of stranded) expect(settled.has(r.sha256)).toBe(true)
      expect(raws.filter((r) => !['received', 'processed', 'duplicate'].includes(r.status))).toEqual([])
      console.info(
        `fault/db-restart: ${MESSAGES} messages from ${SENDERS} senders; ${refused.length} attempts refused with 503; ` +
          `slowest attempt ${Math.max(...attempts.map((a) => a.ms))} ms; ${stranded.length} stranded raw copies; ` +
          `outages: ${outages.map((o) => `${o.mode} ${o.ms} ms`).join(', ')}`,
      )
    },
  )

  it(
    'a send accepted by Resend while the database goes down is recorded once it is back, and never sent twice',
    { timeout: 60_000 },
    async () => {
      const approver = await seedUser(db, org.id, 'approver')
      const kase = await seedCase(db, org.id, { to: `escalations@${org.slug}.test`, from: 'Pat Doe <pat@customer.test>' })
      // The server's draft job writes v1 first: a version saved after the approval would hold the reply back.
      await until(
        () =>
          withOrg(
            db,
            org.id,
            async (tx) => (await tx<{ n: number }[]>`select count(*)::int as n from drafts where case_id = ${kase.id}`)[0]!.n,
          ),
        (n) => n > 0,
      )
      const draft = await seedDraft(db, org.id, kase.id)
      const held = resend.holdNextAnswer()
      const result = await withOrg(db, org.id, (tx) =>
        decide(tx, {
          orgId: org.id,
          caseId: kase.id,
          draftId: draft.id,
          approver: { id: approver.id, role: 'approver' },
          decision: 'approved',
          via: 'portal',
          messageIdDomain: 'example.com',
        }),
      )
      if (!result.ok || !result.outboxId) throw new Error('approval failed')
      const outboxId = result.outboxId
      const emails = () => resend.emails.filter((e) => e.idempotencyKey === `reply/${outboxId}`)

      // The server's job loop sends; Resend accepts and stores the email, and its answer is held.
      const release = await held
      await pg.stop('immediate')
      release() // the answer arrives while the database is down: the send cannot be recorded
      await sleep(700)
      await pg.start()
      expect(emails()).toHaveLength(1)
      const outbox = () =>
        withOrg(
          db,
          org.id,
          async (tx) =>
            (
              await tx<{ status: string; providerId: string | null }[]>`
      select status, provider_id as "providerId" from outbox where id = ${outboxId}`
            )[0]!,
        )
      expect(await outbox()).toMatchObject({ status: 'sending', providerId: null })

      // The runner's lease on the job runs out (time passes), and the job is taken up again.
      await withOrg(
        db,
        org.id,
        (tx) => tx`update jobs set locked_until = now() - interval '1 second' where payload->>'outboxId' = ${outboxId}`,
      )
      const sent = await until(outbox, (o) => o.status === 'sent')
      expect(sent).toEqual({ status: 'sent', providerId: emails()[0]!.id })
      expect(emails()).toHaveLength(1) // the retry used the same idempotency key
      const [row] = await withOrg(
        db,
        org.id,
        (tx) => tx<{ status: string; sends: number }[]>`
      select status, (select count(*)::int from audit_events where case_id = ${kase.id} and action = 'email.send') as sends
      from cases where id = ${kase.id}`,
      )
      expect(row).toEqual({ status: 'responded', sends: 1 })
      expect(server.child.exitCode).toBeNull()
    },
  )
})
