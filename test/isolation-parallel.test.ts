import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../src/db.ts'
import type { Org } from '../src/orgs/queries.ts'
import { seedOrg, testDb } from './support/db.ts'

// sql/00055: app_org_id() is parallel safe, so the app's statements may use parallel plans (the
// export asks for them; withOrg plans without them otherwise); a parallel worker must then see the same org as its leader, or row-level security would hand it
// nobody's rows (or, worse, someone else's). With the leader kept out of the scan, every row the
// count sees comes from a worker.

type Plan = { 'Node Type': string; 'Workers Launched'?: number; Plans?: Plan[] }
const launched = (plan: Plan): number => (plan['Workers Launched'] ?? 0) + (plan.Plans ?? []).reduce((n, p) => n + launched(p), 0)

describe('row-level security in parallel workers', () => {
  let db: Db
  const orgs: { org: Org; cases: number }[] = []

  beforeAll(async () => {
    db = testDb(2)
    for (const cases of [70, 40]) {
      const org = await seedOrg(db)
      await db`
        insert into cases (org_id, number, source, customer_email, subject, severity, status, reply_token, opened_at,
                           first_response_due_at, resolution_due_at)
        select ${org.id}, g, 'ceo_inbox', 'parallel' || g || '@customer.test', 'Parallel ' || g, 'SEV-3', 'new',
               'parallel-' || g || '-' || ${org.id}, now(), now() + interval '1 hour', now() + interval '1 day'
        from generate_series(1, ${cases}) g`
      orgs.push({ org, cases })
    }
  })
  afterAll(() => db.end())

  it('a statement run by workers under an org’s scope counts that org’s cases, and only those', async () => {
    for (const { org, cases } of orgs) {
      await withOrg(db, org.id, async (tx) => {
        await tx`select set_config('parallel_setup_cost', '0', true), set_config('parallel_tuple_cost', '0', true),
                        set_config('min_parallel_table_scan_size', '0', true), set_config('parallel_leader_participation', 'off', true),
                        set_config('enable_indexscan', 'off', true), set_config('enable_indexonlyscan', 'off', true),
                        set_config('enable_bitmapscan', 'off', true)`
        // withOrg plans without parallel workers (src/db.ts); a statement that wants them asks, as the export does.
        expect((await tx<{ n: string }[]>`select current_setting('max_parallel_workers_per_gather') as n`)[0]!.n).toBe('0')
        await tx`set local max_parallel_workers_per_gather to default`
        const query = 'select count(*)::int as n, count(*) filter (where org_id <> app_org_id())::int as others from cases'
        let workers = 0
        for (let attempt = 0; attempt < 5 && workers === 0; attempt++) {
          const [row] = await tx.unsafe<{ 'QUERY PLAN': { Plan: Plan }[] }[]>(`explain (analyze, format json) ${query}`)
          const plan = row!['QUERY PLAN'][0]!.Plan
          expect(JSON.stringify(plan)).toContain('Gather')
          workers = launched(plan)
        }
        // Other test files may hold every worker for a moment; the plan is parallel regardless.
        expect(workers).toBeGreaterThan(0)
        const [seen] = await tx.unsafe<{ n: number; others: number }[]>(query)
        expect(seen).toEqual({ n: cases, others: 0 })
      })
    }
  })
})
