// `draft`: how soon what arrives can be worked on. The real server (DESK_DEMO=1, no OpenAI key,
// so drafts are the template's) takes 200 synthetic escalations from 4 senders, each sender
// waiting for its case to show on the queue before sending the next: a steady trickle, not a
// flood. Measured from the start of each POST: the case found on the queue by its number
// (listQueue with the search box's words, the page's own query, as the org's admin under RLS), and its first draft in the database (a poller
// reads every 20 ms).
import { withOrg } from '../src/db.ts'
import { listQueue } from '../src/queue/queries.ts'
import { INBOUND_SECRET, loadAverage, postRaw, syntheticEscalation } from './inbound-client.ts'
import { freePort } from './ports.ts'
import { isMain, note, percentile, result, startServer, withBenchDatabase } from './support.ts'

const MESSAGES = 200
const SENDERS = 4
const WARM_UP = 8
const POLL_MS = 20
const GIVE_UP_MS = 30_000

export async function runDraftBench(): Promise<void> {
  await withBenchDatabase('draft', async ({ url, db }) => {
    const server = await startServer({
      DATABASE_URL: url,
      INBOUND_SECRET,
      DESK_DEMO: '1',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
    })
    try {
      const [admin]: [{ orgId: string; userId: string }] = await db`
        select o.id as "orgId", u.id as "userId" from orgs o join app_users u on u.org_id = o.id where o.slug = 'demo' and u.role = 'admin'`

      // Case number → when its first draft was seen (performance.now()).
      const drafted = new Map<number, number>()
      let polling = true
      const poller = (async () => {
        while (polling) {
          const rows = await db<{ number: number }[]>`
            select distinct c.number from drafts d join cases c on c.id = d.case_id`
          const seen = performance.now()
          for (const { number } of rows) if (!drafted.has(number)) drafted.set(number, seen)
          await new Promise((r) => setTimeout(r, POLL_MS))
        }
      })()

      const sentAt = new Map<number, number>()
      const visible: number[] = []
      const send = async (n: number) => {
        const t0 = performance.now()
        const answer = await postRaw(server.url, syntheticEscalation(n))
        if (answer.outcome !== 'created' || !answer.case) throw new Error(`message ${n}: ${answer.outcome}`)
        const number = Number(answer.case.replace(/^ESC-/, ''))
        sentAt.set(number, t0)
        for (;;) {
          const rows = await withOrg(db, admin.orgId, (tx) => listQueue(tx, { view: 'all', search: answer.case, userId: admin.userId }))
          if (rows.some((r) => r.number === number)) break
          if (performance.now() - t0 > GIVE_UP_MS) throw new Error(`${answer.case} not on the queue after ${GIVE_UP_MS} ms`)
          await new Promise((r) => setTimeout(r, POLL_MS))
        }
        return { number, ms: performance.now() - t0 }
      }
      try {
        for (let n = 0; n < WARM_UP; n++) await send(MESSAGES + n)
        sentAt.clear()
        let next = 0
        const sender = async () => {
          for (let n = next++; n < MESSAGES; n = next++) visible.push((await send(n)).ms)
        }
        await Promise.all(Array.from({ length: SENDERS }, sender))
        const until = performance.now() + GIVE_UP_MS
        while ([...sentAt.keys()].some((k) => !drafted.has(k)) && performance.now() < until) await new Promise((r) => setTimeout(r, 50))
      } finally {
        polling = false
        await poller
      }

      const toDraft = [...sentAt].filter(([k]) => drafted.has(k)).map(([k, t0]) => drafted.get(k)! - t0)
      result('draft.cases', sentAt.size, 'cases')
      result('draft.queue_visible.p50', percentile(visible, 50), 'ms')
      result('draft.queue_visible.p95', percentile(visible, 95), 'ms')
      result('draft.template.p50', percentile(toDraft, 50), 'ms')
      result('draft.template.p95', percentile(toDraft, 95), 'ms')
      // Where the time to a draft goes, from the database's own clocks (each a transaction's start):
      // the draft job queued (intake's transaction) to its draft written, and that to the job done.
      const waits = await db<{ queued: number; ran: number }[]>`
        select extract(epoch from d.created_at - j.created_at) * 1000 as queued, extract(epoch from j.done_at - d.created_at) * 1000 as ran
        from jobs j join cases c on c.id = (j.payload ->> 'caseId')::uuid
        join lateral (select min(created_at) as created_at from drafts where case_id = c.id) d on true
        where j.kind = 'draft' and j.done_at is not null and c.number = any(${[...sentAt.keys()]}::int[])`
      result(
        'draft.job_queued_to_draft.p50',
        percentile(
          waits.map((w) => Number(w.queued)),
          50,
        ),
        'ms',
      )
      result(
        'draft.job_queued_to_draft.p95',
        percentile(
          waits.map((w) => Number(w.queued)),
          95,
        ),
        'ms',
      )
      const kinds = await db<{ kind: string; n: number; p50: number; p95: number }[]>`
        select kind, count(*)::int as n,
               percentile_cont(0.5) within group (order by extract(epoch from done_at - created_at) * 1000) as p50,
               percentile_cont(0.95) within group (order by extract(epoch from done_at - created_at) * 1000) as p95
        from jobs where done_at is not null group by kind`
      for (const k of kinds) note(`jobs ${k.kind}: ${k.n}, queued to done p50 ${Math.round(k.p50)} ms, p95 ${Math.round(k.p95)} ms`)
      result('draft.load', await loadAverage(), 'load')
      if (toDraft.length !== sentAt.size) {
        note(`${sentAt.size - toDraft.length} cases had no draft after ${GIVE_UP_MS} ms`)
        process.exitCode = 1
      }
    } finally {
      await server.stop()
    }
  })
}

if (isMain(import.meta.url)) await runDraftBench()
