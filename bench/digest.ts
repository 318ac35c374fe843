// `digest`: every org's daily digest at once, as the scheduler's tick claims them at the digest
// hour: 1,000 orgs holding 1,000,000 cases (1,000 each, a tenth open, with owners), through
// enqueueDueDigests, the scheduler's own call (claim, compose, queue the send job per org). Then
// one org's digest alone, 100 times (previewDigest: the same composition, nothing claimed).
import { connect } from '../src/db.ts'
import { enqueueDueDigests, previewDigest } from '../src/digest/digest.ts'
import { loadAverage } from './inbound-client.ts'
import { seedCases, seedOrgs } from './seed.ts'
import { isMain, note, percentile, result, withBenchDatabase } from './support.ts'

const ORGS = 1_000
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
    const plans = orgs.map((o) => ({ orgId: o.id, total: CASES_PER_ORG, open: CASES_PER_ORG * OPEN_SHARE }))
    const slices = Array.from({ length: Math.ceil(plans.length / 50) }, (_, i) => plans.slice(i * 50, i * 50 + 50))
    const seedNext = async () => {
      for (let slice = slices.shift(); slice; slice = slices.shift()) await seedCases(db, slice)
    }
    await Promise.all([seedNext(), seedNext()])
    // Owners for the open cases that have one in the seed's terms (not new), from their own org.
    await db`
      update cases c set owner_id = u.id, owner_assigned_at = c.opened_at
      from app_users u where u.org_id = c.org_id and u.email like 'agent1@%' and c.status not in ('new', 'resolved', 'closed')`
    // Every org existed before today's digest hour (00:00 UTC), so each one is due now.
    await db`update orgs set created_at = now() - interval '3 days', digest_hour = 0`
    await db.unsafe('vacuum (analyze) cases, app_users, orgs')
    const [{ n }]: [{ n: number }] = await db`select count(*)::int as n from cases`
    result('digest.cases', n, 'cases')
    result('digest.seed_time', (performance.now() - started) / 1000, 's')

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

if (isMain(import.meta.url)) await runDigestBench()
