// `queue`: the triage page's server time for an org with 10,000 open cases in a database of
// 1,000,000 cases, through the real app in-process (createApp + app.request, session cookie),
// plus EXPLAIN (ANALYZE, BUFFERS) of the two queries the page runs.
import { createApp } from '../src/app.ts'
import { createSession } from '../src/auth/sessions.ts'
import { countOpenByClock, listQueue } from '../src/queue/queries.ts'
import { connect, withOrg, type Db } from '../src/db.ts'
import { parseEnv } from '../src/env.ts'
import { createDevMailer } from '../src/outbound/mailer.ts'
import { checkSeededClocks, seedAccounts, seedCases, seedOrgs, seedUsers } from './seed.ts'
import { isMain, note, percentile, result, withBenchDatabase } from './support.ts'

const TOTAL_CASES = 1_000_000
const ORGS = 100
const TARGET_OPEN = 10_000
const TARGET_TOTAL = 50_000
const OTHER_OPEN_SHARE = 0.1
const REQUESTS = 200
const FILTER_REQUESTS = 50

export async function runQueueBench(): Promise<void> {
  await withBenchDatabase('queue', async ({ db, url }) => {
    // Seed: org 1 is the one measured; the 99 others hold the rest of the million.
    let started = performance.now()
    const orgs = await seedOrgs(db, 'bench', ORGS)
    const target = orgs[0]!
    const users = await seedUsers(db, target.id, target.slug, 24)
    const accounts = await seedAccounts(db, target.id, 500)
    await seedCases(db, [{ orgId: target.id, total: TARGET_TOTAL, open: TARGET_OPEN }], { owners: users, accounts })
    const others = orgs.slice(1)
    const rest = TOTAL_CASES - TARGET_TOTAL
    const plans = others.map((org, i) => {
      const total = Math.floor(rest / others.length) + (i < rest % others.length ? 1 : 0)
      return { orgId: org.id, total, open: Math.round(total * OTHER_OPEN_SHARE) }
    })
    // In slices (no single statement holds the whole million), two at a time: the machine's two cores.
    const slices = Array.from({ length: Math.ceil(plans.length / 10) }, (_, i) => plans.slice(i * 10, i * 10 + 10))
    const seedNext = async () => {
      for (let slice = slices.shift(); slice; slice = slices.shift()) await seedCases(db, slice)
    }
    await Promise.all([seedNext(), seedNext()])
    await db.unsafe('vacuum (analyze) cases, accounts, app_users, orgs')
    const [{ n }]: [{ n: number }] = await db`select count(*)::int as n from cases`
    note(`seeded ${n} cases in ${ORGS} orgs in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    result('queue.cases', n, 'cases')
    result('queue.seed_time', (performance.now() - started) / 1000, 's')
    const mismatches = await checkSeededClocks(db, target.id)
    if (mismatches > 0) throw new Error(`${mismatches} seeded cases disagree with clocks.ts; fix bench/seed.ts`)

    // A signed-in admin, as the sign-in link would leave them.
    const admin = users[0]!
    const { token } = await withOrg(db, target.id, (tx) => createSession(tx, { orgId: target.id, userId: admin }))
    const cookie = `desk_session=${token}`
    const env = parseEnv({ DATABASE_URL: url })
    if (!env.ok) throw new Error(env.problems.join('; '))
    // Same pool size as the server's (postgres.js default, 10).
    const appDb = connect(url)
    try {
      const app = createApp({
        db: appDb,
        env: env.env,
        assets: {},
        mailer: createDevMailer(appDb),
      })
      const counts = await withOrg(appDb, target.id, (tx) => countOpenByClock(tx))
      note(`target org open cases by clock: ${JSON.stringify(counts)}`)
      result(
        'queue.org_open_cases',
        Object.values(counts).reduce((a, b) => a + b, 0),
        'cases',
      )

      const timeRequests = async (path: string, count: number) => {
        const samples: number[] = []
        for (let i = 0; i < count; i++) {
          const t0 = performance.now()
          const response = await app.request(path, { headers: { cookie } })
          const body = await response.text()
          samples.push(performance.now() - t0)
          if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${body.slice(0, 300)}`)
          if (i === 0 && !body.includes(`${TARGET_OPEN} open`)) throw new Error(`GET ${path} does not show ${TARGET_OPEN} open cases`)
        }
        return samples
      }

      await timeRequests('/', 20) // warm-up: JIT, plan cache, buffers
      started = performance.now()
      const page = await timeRequests('/', REQUESTS)
      const rows = await timeRequests('/queue/rows', REQUESTS)
      result('queue.page.p50', percentile(page, 50), 'ms')
      result('queue.page.p95', percentile(page, 95), 'ms')
      result('queue.rows.p50', percentile(rows, 50), 'ms')
      result('queue.rows.p95', percentile(rows, 95), 'ms')
      for (const [label, query] of [
        ['mine', 'view=mine'],
        ['unowned', 'view=unowned'],
        ['at_risk', 'view=at_risk'],
        ['sev1', 'severity=SEV-1'],
      ] as const) {
        const samples = await timeRequests(`/queue/rows?${query}`, FILTER_REQUESTS)
        result(`queue.rows_${label}.p50`, percentile(samples, 50), 'ms')
        result(`queue.rows_${label}.p95`, percentile(samples, 95), 'ms')
      }
      note(`${2 * REQUESTS + 4 * FILTER_REQUESTS} timed requests in ${((performance.now() - started) / 1000).toFixed(1)} s`)

      await explainQueueQueries(url, target.id, admin)
    } finally {
      await appDb.end({ timeout: 5 })
    }
  })
}

/**
 * Captures the exact SQL and parameters listQueue and countOpenByClock send (postgres.js
 * `debug`), then runs them under EXPLAIN (ANALYZE, BUFFERS) in the same withOrg transaction
 * shape the page uses, so row-level security is part of the plan.
 */
async function explainQueueQueries(url: string, orgId: string, userId: string): Promise<void> {
  const captured: { query: string; parameters: unknown[] }[] = []
  const db: Db = connect(url, {
    max: 1,
    debug: (_connection, query, parameters) => void captured.push({ query, parameters: [...parameters] }),
  })
  try {
    type Tx = Parameters<typeof listQueue>[0]
    const targets: { name: string; run: (tx: Tx) => Promise<unknown> }[] = [
      { name: 'list_queue', run: (tx: Tx) => listQueue(tx, { view: 'all', userId }) },
      { name: 'count_open_by_clock', run: (tx: Tx) => countOpenByClock(tx) },
      { name: 'list_queue_mine', run: (tx: Tx) => listQueue(tx, { view: 'mine', userId }) },
      { name: 'list_queue_unowned', run: (tx: Tx) => listQueue(tx, { view: 'unowned', userId }) },
      { name: 'list_queue_at_risk', run: (tx: Tx) => listQueue(tx, { view: 'at_risk', userId }) },
      { name: 'list_queue_sev1', run: (tx: Tx) => listQueue(tx, { view: 'all', severity: 'SEV-1', userId }) },
    ]
    for (const target of targets) {
      captured.length = 0
      await withOrg(db, orgId, async (tx) => void (await target.run(tx)))
      const statement = captured.find((c) => /\bfrom cases c\b/.test(c.query))
      if (!statement) throw new Error(`could not capture the SQL of ${target.name}`)
      const plan = await withOrg(db, orgId, (tx) =>
        tx.unsafe<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${statement.query}`, statement.parameters as never[]),
      )
      const lines = plan.map((r) => r['QUERY PLAN'])
      const ms = (label: string) =>
        Number(new RegExp(`^${label} Time: ([\\d.]+) ms`).exec(lines.find((l) => l.startsWith(`${label} Time`)) ?? '')?.[1])
      result(`queue.explain.${target.name}.planning`, ms('Planning'), 'ms')
      result(`queue.explain.${target.name}.execution`, ms('Execution'), 'ms')
      if (process.env.BENCH_EXPLAIN === '1') {
        note(`EXPLAIN (ANALYZE, BUFFERS) ${target.name}:`)
        for (const line of lines) note(`  ${line}`)
      }
    }
  } finally {
    await db.end({ timeout: 5 })
  }
}

if (isMain(import.meta.url)) await runQueueBench()
