// `queue`: the triage page's server time as an org grows, through the real app in-process
// (createApp + app.request, session cookie), in a database of 1,000,000 cases: three orgs with
// 1,000, 10,000 and 100,000 open cases (`queue.1k.…`, `queue.10k.…`, `queue.100k.…`), so the
// lines show whether the page stays flat as open work grows. The orgs are the same desk at three
// sizes: as many closed cases per open one (four, as the old single-org figure had: 10,000 open
// of 50,000), and customers and accounts in proportion (one account per 20 open cases), so each
// customer's history is the same size and only the number of cases grows. The rest of the
// million is spread over other orgs. Plus EXPLAIN (ANALYZE, BUFFERS) of the queries the page
// runs, per size. BENCH_QUEUE_SIZES=1000,10000 leaves out the largest org for a quick run (its
// cases then go to the other orgs: the database stays a million).
import { createApp } from '../src/app.ts'
import { createSession } from '../src/auth/sessions.ts'
import { countOpenByClock, listQueue } from '../src/queue/queries.ts'
import { connect, withOrg, type Db } from '../src/db.ts'
import { parseEnv } from '../src/env.ts'
import { createDevMailer } from '../src/outbound/mailer.ts'
import { loadAverage } from './inbound-client.ts'
import { checkSeededClocks, seedAccounts, seedCases, seedOrgs, seedUsers } from './seed.ts'
import { isMain, note, percentile, result, timedGet, withBenchDatabase } from './support.ts'

const TOTAL_CASES = 1_000_000
const ORGS = 100
const CLOSED_PER_OPEN = 4
const OPEN_PER_ACCOUNT = 20
const OTHER_OPEN_SHARE = 0.1
const REQUESTS = 200
const FILTER_REQUESTS = 50

/** The measured sizes (open cases), from BENCH_QUEUE_SIZES or all three. */
function sizes(): number[] {
  const asked = (process.env.BENCH_QUEUE_SIZES ?? '1000,10000,100000').split(',').map((s) => Number(s.trim()))
  if (asked.some((n) => !Number.isInteger(n) || n < 1 || n > 200_000)) throw new Error('BENCH_QUEUE_SIZES: open-case counts, 1–200000')
  return [...new Set(asked)].sort((a, b) => a - b)
}

/** 1000 → "1k", 100000 → "100k": the size in a result line's name. */
const label = (open: number) => (open % 1000 === 0 ? `${open / 1000}k` : String(open))

type Measured = { open: number; orgId: string; admin: string }

export async function runQueueBench(): Promise<void> {
  await withBenchDatabase('queue', async ({ db, url }) => {
    // Seed: the first orgs are the measured ones; the others hold the rest of the million.
    let started = performance.now()
    const open = sizes()
    const orgs = await seedOrgs(db, 'bench', ORGS)
    const measured: Measured[] = []
    for (const [i, size] of open.entries()) {
      const org = orgs[i]!
      const users = await seedUsers(db, org.id, org.slug, 24)
      const accounts = await seedAccounts(db, org.id, Math.ceil(size / OPEN_PER_ACCOUNT))
      await seedCases(db, [{ orgId: org.id, total: size * (1 + CLOSED_PER_OPEN), open: size }], { owners: users, accounts })
      measured.push({ open: size, orgId: org.id, admin: users[0]! })
    }
    const others = orgs.slice(open.length)
    const rest = TOTAL_CASES - open.reduce((sum, size) => sum + size * (1 + CLOSED_PER_OPEN), 0)
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
    for (const m of measured) {
      const mismatches = await checkSeededClocks(db, m.orgId)
      if (mismatches > 0) throw new Error(`${mismatches} seeded cases disagree with clocks.ts; fix bench/seed.ts`)
    }

    const env = parseEnv({ DATABASE_URL: url })
    if (!env.ok) throw new Error(env.problems.join('; '))
    // Same pool size as the server's (postgres.js default, 10).
    const appDb = connect(url)
    try {
      const app = createApp({ db: appDb, env: env.env, assets: {}, mailer: createDevMailer(appDb) })
      const p95s: Record<string, number> = {}
      for (const m of measured) {
        const size = label(m.open)
        const counts = await withOrg(appDb, m.orgId, (tx) => countOpenByClock(tx))
        note(`${size}: open cases by clock: ${JSON.stringify(counts)}`)
        const openCount = Object.values(counts).reduce((a, b) => a + b, 0)
        result(`queue.${size}.org_open_cases`, openCount, 'cases')

        // A signed-in admin, as the sign-in link would leave them.
        const { token } = await withOrg(db, m.orgId, (tx) => createSession(tx, { orgId: m.orgId, userId: m.admin }))
        const cookie = `desk_session=${token}`
        const timeRequests = async (path: string, count: number) => {
          const samples: number[] = []
          for (let i = 0; i < count; i++) {
            const { ms, body } = await timedGet(app, path, cookie)
            samples.push(ms)
            if (i === 0 && !body.includes(`${openCount} open`)) throw new Error(`GET ${path} does not show ${openCount} open cases`)
          }
          return samples
        }

        await timeRequests('/', 20) // warm-up: JIT, plan cache, buffers
        started = performance.now()
        const page = await timeRequests('/', REQUESTS)
        const rows = await timeRequests('/queue/rows', REQUESTS)
        result(`queue.${size}.page.p50`, percentile(page, 50), 'ms')
        result(`queue.${size}.page.p95`, percentile(page, 95), 'ms')
        result(`queue.${size}.rows.p50`, percentile(rows, 50), 'ms')
        result(`queue.${size}.rows.p95`, percentile(rows, 95), 'ms')
        p95s[`page_${size}`] = percentile(page, 95)
        p95s[`rows_${size}`] = percentile(rows, 95)
        for (const [name, query] of [
          ['mine', 'view=mine'],
          ['unowned', 'view=unowned'],
          ['at_risk', 'view=at_risk'],
          ['sev1', 'severity=SEV-1'],
        ] as const) {
          const samples = await timeRequests(`/queue/rows?${query}`, FILTER_REQUESTS)
          result(`queue.${size}.rows_${name}.p50`, percentile(samples, 50), 'ms')
          result(`queue.${size}.rows_${name}.p95`, percentile(samples, 95), 'ms')
        }
        result(`queue.${size}.load`, await loadAverage(), 'load')
        note(`${size}: ${2 * REQUESTS + 4 * FILTER_REQUESTS} timed requests in ${((performance.now() - started) / 1000).toFixed(1)} s`)
        await explainQueueQueries(url, m, size)
      }
      // Flatness: the largest size's p95 over the smallest's.
      const [small, large] = [label(measured[0]!.open), label(measured[measured.length - 1]!.open)]
      if (small !== large) {
        result(`queue.page.p95_${large}_over_${small}`, p95s[`page_${large}`]! / p95s[`page_${small}`]!, 'ratio')
        result(`queue.rows.p95_${large}_over_${small}`, p95s[`rows_${large}`]! / p95s[`rows_${small}`]!, 'ratio')
      }
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
async function explainQueueQueries(url: string, m: Measured, size: string): Promise<void> {
  const captured: { query: string; parameters: unknown[] }[] = []
  const db: Db = connect(url, {
    max: 1,
    debug: (_connection, query, parameters) => void captured.push({ query, parameters: [...parameters] }),
  })
  const userId = m.admin
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
      await withOrg(db, m.orgId, async (tx) => void (await target.run(tx)))
      const statement = captured.find((c) => /\bfrom cases c\b/.test(c.query))
      if (!statement) throw new Error(`could not capture the SQL of ${target.name}`)
      const plan = await withOrg(db, m.orgId, (tx) =>
        tx.unsafe<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${statement.query}`, statement.parameters as never[]),
      )
      const lines = plan.map((r) => r['QUERY PLAN'])
      const ms = (name: string) =>
        Number(new RegExp(`^${name} Time: ([\\d.]+) ms`).exec(lines.find((l) => l.startsWith(`${name} Time`)) ?? '')?.[1])
      result(`queue.${size}.explain.${target.name}.planning`, ms('Planning'), 'ms')
      result(`queue.${size}.explain.${target.name}.execution`, ms('Execution'), 'ms')
      if (process.env.BENCH_EXPLAIN === '1') {
        note(`EXPLAIN (ANALYZE, BUFFERS) ${size} ${target.name}:`)
        for (const line of lines) note(`  ${line}`)
      }
    }
  } finally {
    await db.end({ timeout: 5 })
  }
}

if (isMain(import.meta.url)) await runQueueBench()
