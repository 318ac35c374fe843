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
