// `digest`: every org's daily digest at once, as the scheduler's tick claims them at the digest
// hour: 1,000 orgs holding 1,000,000 cases (1,000 each, a tenth open, with owners), through
// enqueueDueDigests, the scheduler's own call (claim, compose, queue the send job per org). Then
// one org's digest alone, 100 times (previewDigest: the same composition, nothing claimed).
// BENCH_DIGEST_ORGS (default 1,000) seeds fewer orgs for a quick before/after; BENCH_EXPLAIN=1
// prints the plan of every statement of one org's digest.
import { connect } from '../src/db.ts'
import { enqueueDueDigests, previewDigest } from '../src/digest/digest.ts'
import { loadAverage } from './inbound-client.ts'
import { seedCasesBulk, seedOrgs } from './seed.ts'
import { isMain, note, percentile, result, withBenchDatabase } from './support.ts'

const ORGS = Number(process.env.BENCH_DIGEST_ORGS || 1_000)
const CASES_PER_ORG = 1_000
const OPEN_SHARE = 0.1
const SINGLE_RUNS = 100
const env = { PUBLIC_URL: 'https://desk.example.com' }

export async function runDigestBench(): Promise<void> {
  await withBenchDatabase('digest', async ({ db, url }) => {
    let started = performance.now()
    const orgs = await seedOrgs(db, 'bench', ORGS)
    // An admin (a digest recipient) and two agents per org, in one statement.
    await db`
      insert into app_users (org_id, email, name, role)
      select o.id, r.who || '@' || o.slug || '.example', initcap(r.who), r.role
      from orgs o cross join (values ('admin', 'admin'), ('agent1', 'agent'), ('agent2', 'agent')) as r(who, role)`
    await seedCasesBulk(
      db,
      orgs.map((o) => ({ orgId: o.id, total: CASES_PER_ORG, open: CASES_PER_ORG * OPEN_SHARE })),
    )
    // Owners for the open cases that have one in the seed's terms (not new), from their own org.
    await db`
      update cases c set owner_id = u.id, owner_assigned_at = c.opened_at
      from app_users u where u.org_id = c.org_id and u.email like 'agent1@%' and c.status not in ('new', 'resolved', 'closed')`
    // Every org existed before today's digest hour (00:00 UTC), so each one is due now.
    await db`update orgs set created_at = now() - interval '3 days', digest_hour = 0`
    await db.unsafe('vacuum (analyze) cases, case_search, app_users, orgs')
    const [{ n }]: [{ n: number }] = await db`select count(*)::int as n from cases`
    result('digest.cases', n, 'cases')
    result('digest.seed_time', (performance.now() - started) / 1000, 's')

    if (process.env.BENCH_EXPLAIN === '1') await explainOneDigest(url, orgs[1]!.id)

    // The server's pool size (postgres.js default, 10), connected the way the app is.
    const appDb = connect(url)
    try {
      const now = new Date()
      // One org's digest first, so the JIT and the plan cache are as warm as a running server's.
      for (let i = 0; i < 5; i++) await previewDigest(appDb, env, orgs[1]!.id, now)
      started = performance.now()
      const claims = await enqueueDueDigests(appDb, env, now, 'bench')
      const seconds = (performance.now() - started) / 1000
      const computed = claims.filter((c) => c.status !== 'taken').map((c) => c.computeMs)
      result('digest.orgs', claims.length, 'orgs')
      result('digest.queued', claims.filter((c) => c.status === 'queued').length, 'orgs')
      result('digest.all_orgs', seconds, 's')
      result('digest.compute.p50', percentile(computed, 50), 'ms')
      result('digest.compute.p99', percentile(computed, 99), 'ms')
      result('digest.load', await loadAverage(), 'load')
      if (claims.length !== ORGS) {
        note(`expected ${ORGS} due digests, claimed ${claims.length}`)
        process.exitCode = 1
      }

      const single: number[] = []
      for (let i = 0; i < SINGLE_RUNS; i++) {
        const t0 = performance.now()
        await previewDigest(appDb, env, orgs[i % ORGS]!.id, now)
        single.push(performance.now() - t0)
      }
      result('digest.one_org.p50', percentile(single, 50), 'ms')
      result('digest.one_org.p99', percentile(single, 99), 'ms')
    } finally {
      await appDb.end({ timeout: 5 })
    }
  })
}

/** Every statement of one org's digest (previewDigest), each run again under EXPLAIN (ANALYZE, BUFFERS) as the org. */
async function explainOneDigest(url: string, orgId: string): Promise<void> {
  const captured: { query: string; parameters: unknown[] }[] = []
  const db = connect(url, { max: 1, debug: (_connection, query, parameters) => void captured.push({ query, parameters: [...parameters] }) })
  try {
    await previewDigest(db, env, orgId)
    const statements = captured.filter((c) => /^\s*(with|select)\b/i.test(c.query) && !/set_config\(/.test(c.query))
    captured.length = 0
    for (const [i, statement] of statements.entries()) {
      const plan = await db.begin(async (tx) => {
        await tx`select set_config('app.org_id', ${orgId}, true), set_config('role', 'desk_app', true)`
        return tx.unsafe<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${statement.query}`, statement.parameters as never[])
      })
      const lines = plan.map((r) => r['QUERY PLAN'])
      const execution = /Execution Time: ([\d.]+) ms/.exec(lines.find((l) => l.startsWith('Execution Time')) ?? '')?.[1]
      note(`statement ${i + 1}: ${execution} ms: ${statement.query.replace(/\s+/g, ' ').trim().slice(0, 100)}`)
      for (const line of lines) note(`  ${line}`)
    }
  } finally {
    await db.end({ timeout: 5 })
  }
}

if (isMain(import.meta.url)) await runDigestBench()
