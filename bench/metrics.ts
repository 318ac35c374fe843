// `metrics`: the metrics page's server time through the real app in-process (createApp +
// app.request, session cookie), for the default period (30 days), a year, and the CSV export,
// at three org sizes (a growth table: `metrics.<cases>.…` lines; the 100,000-case org also
// prints the historical `metrics.p50`… names). The page reads the daily rollups (sql/00040);
// `metrics.<cases>.exact_year.p50` is the per-case computation (loadMetrics 'exact', the tests'
// oracle, what the page ran before the rollups) timed in the same process, as a baseline.
// Some cases carry ratings, sent resolution messages and approval asks, so every query of the
// page has rows to read. METRICS_BENCH_SIZES=10000,100000 skips the million (a quick run).
import { createApp } from '../src/app.ts'
import { createSession } from '../src/auth/sessions.ts'
import { connect, withOrg } from '../src/db.ts'
import { parseEnv } from '../src/env.ts'
import { loadMetrics } from '../src/metrics/metrics.ts'
import { parsePeriod } from '../src/metrics/period.ts'
import { createDevMailer } from '../src/outbound/mailer.ts'
import { seedAccounts, seedCases, seedOrgs, seedUsers } from './seed.ts'
import { isMain, note, percentile, result, timedGet, withBenchDatabase, type BenchDatabase } from './support.ts'

const SIZES = (process.env.METRICS_BENCH_SIZES ?? '10000,100000,1000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
const REQUESTS = 50

/** Ratings on a fifth of the finished cases, and an approval ask (decided) on a third of all cases. */
export async function seedAftercare(db: BenchDatabase['db'], orgId: string, approverId: string): Promise<void> {
  await db`
    insert into customer_links (jti, org_id, case_id, purpose, expires_at, consumed_at)
    select 'bench-' || c.id, c.org_id, c.id, 'csat', c.opened_at + interval '40 days', coalesce(c.resolved_at, c.opened_at) + interval '1 day'
    from cases c where c.org_id = ${orgId} and c.resolved_at is not null and random() < 0.2`
  await db`
    insert into csat_responses (org_id, case_id, link_jti, rating, created_at)
    select l.org_id, l.case_id, l.jti, 1 + floor(random() * 5)::int, l.consumed_at from customer_links l where l.org_id = ${orgId}`
  await db`
    insert into drafts (org_id, case_id, version, author_kind, author, purpose, to_emails, subject, body)
    select c.org_id, c.id, 1, 'template', 'template', 'reply', array[c.customer_email], 'Re: ' || c.subject, 'Thank you for writing.'
    from cases c where c.org_id = ${orgId} and c.number % 3 = 0`
  await db`
    insert into approval_requests (org_id, case_id, draft_id, content_hash, approver_id, jti, expires_at, created_at, decided_at)
    select d.org_id, d.case_id, d.id, 'bench', ${approverId}, 'bench-' || d.id, c.opened_at + interval '1 day',
           c.opened_at + interval '2 minutes', c.opened_at + interval '2 minutes' + random() * interval '40 minutes'
    from drafts d join cases c on c.id = d.case_id where d.org_id = ${orgId}`
}

const rollupTriggers = (action: 'enable' | 'disable') =>
  [
    ['cases', 'cases_metrics_insert'],
    ['cases', 'cases_metrics_update'],
    ['cases', 'cases_metrics_delete'],
    ['csat_responses', 'csat_responses_metrics_rollup'],
    ['outbox', 'outbox_metrics_rollup'],
    ['approval_requests', 'approval_requests_metrics_rollup'],
  ]
    .map(([table, trigger]) => `alter table ${table} ${action} trigger ${trigger};`)
    .join(' ')

export async function benchMetrics(): Promise<void> {
  for (const size of SIZES) await benchSize(size)
}

async function benchSize(size: number): Promise<void> {
  await withBenchDatabase('metrics', async ({ db, url }) => {
    const started = performance.now()
    const [org] = await seedOrgs(db, 'bench', 1)
    const users = await seedUsers(db, org!.id, org!.slug, 24)
    const accounts = await seedAccounts(db, org!.id, 500)
    // Seeded with the rollup triggers off and the rollups rebuilt after (the migration's backfill,
    // one set-based pass), so the seed's figure is the seed's alone.
    await db.unsafe(rollupTriggers('disable'))
    await seedCases(db, [{ orgId: org!.id, total: size, open: size / 10 }], { owners: users, accounts })
    await seedAftercare(db, org!.id, users[0]!)
    await db.unsafe(rollupTriggers('enable'))
    result(`metrics.${size}.seed_time`, (performance.now() - started) / 1000, 's')
    const rebuilt = performance.now()
    await db`select metrics_rebuild_org(${org!.id})`
    result(`metrics.${size}.rollup_rebuild_time`, (performance.now() - rebuilt) / 1000, 's')
    await db.unsafe(
      'vacuum (analyze) cases, accounts, app_users, csat_responses, customer_links, drafts, approval_requests, metrics_rollups, metrics_case_facts',
    )

    const { token } = await withOrg(db, org!.id, (tx) => createSession(tx, { orgId: org!.id, userId: users[0]! }))
    const cookie = `desk_session=${token}`
    const env = parseEnv({ DATABASE_URL: url })
    if (!env.ok) throw new Error(env.problems.join('; '))
    const appDb = connect(url)
    try {
      const app = createApp({ db: appDb, env: env.env, assets: {}, mailer: createDevMailer(appDb) })
      const time = async (path: string, count: number) => {
        const samples: number[] = []
        for (let i = 0; i < count; i++) {
          const { ms, body } = await timedGet(app, path, cookie)
          samples.push(ms)
          if (i === 0) note(`${size} cases, ${path}: ${body.length} bytes`)
        }
        return samples
      }
      await time('/metrics', 5) // warm-up: plan cache, buffers
      const page = await time('/metrics', REQUESTS)
      const year = await time('/metrics?period=365d', REQUESTS)
      const csv = await time('/metrics.csv?period=365d', REQUESTS)
      const exact: number[] = []
      const period = parsePeriod({ period: '365d' }, 'UTC')
      for (let i = 0; i < (size >= 1_000_000 ? 3 : 10); i++) {
        const t0 = performance.now()
        await withOrg(appDb, org!.id, (tx) => loadMetrics(tx, org!.id, period, 'exact'))
        exact.push(performance.now() - t0)
      }
      const figures: [string, number][] = [
        ['p50', percentile(page, 50)],
        ['p95', percentile(page, 95)],
        ['year.p50', percentile(year, 50)],
        ['year.p95', percentile(year, 95)],
        ['csv.p50', percentile(csv, 50)],
      ]
      for (const [name, value] of figures) result(`metrics.${size}.${name}`, value, 'ms')
      result(`metrics.${size}.exact_year.p50`, percentile(exact, 50), 'ms')
      if (size === 100_000) for (const [name, value] of figures) result(`metrics.${name}`, value, 'ms')
    } finally {
      await appDb.end({ timeout: 5 })
    }
  })
}

if (isMain(import.meta.url)) await benchMetrics()
