import type { DbOrTx } from '../db.ts'
import { REPEAT_WINDOW_DAYS } from '../cases/repeats.ts'

// "Pattern blindness" (the playbook's red flag): the same issue escalating again and again. Over
// the last 90 days (the repeat window of src/cases/repeats.ts), cases grouped by customer (the
// account's domain when the case has an account, else the customer's address), by source and
// type, and by the root-cause tags of their reviews. Merged cases are left out: they live on in
// the case they were merged into.

export const PATTERN_DAYS = REPEAT_WINDOW_DAYS

export type PatternCase = { id: string; number: number; subject: string; severity: string }
export type CustomerPattern = { customer: string; isAccount: boolean; cases: number; lastOpenedAt: Date; recent: PatternCase[] }
export type TypePattern = { source: string; caseType: string; cases: number; severe: number }
export type TagPattern = { tag: string; cases: number; recent: PatternCase[] }
export type Patterns = { since: Date; customers: CustomerPattern[]; types: TypePattern[]; tags: TagPattern[] }

const window = (db: DbOrTx, since: Date) => db`c.opened_at >= ${since} and c.merged_into is null`
const recent = (db: DbOrTx) => db`
  (array_agg(jsonb_build_object('id', c.id, 'number', c.number, 'subject', c.subject, 'severity', c.severity)
     order by c.opened_at desc))[1:5]`

export async function loadPatterns(db: DbOrTx, now = new Date()): Promise<Patterns> {
  const since = new Date(now.getTime() - PATTERN_DAYS * 86_400_000)
  const customers = await db<CustomerPattern[]>`
    select coalesce(a.domain, c.customer_email) as customer, a.domain is not null as "isAccount", count(*)::int as cases,
           max(c.opened_at) as "lastOpenedAt", ${recent(db)} as recent
    from cases c left join accounts a on a.id = c.account_id
    where ${window(db, since)} and coalesce(a.domain, c.customer_email) is not null
    group by 1, 2 having count(*) > 1
    order by count(*) desc, max(c.opened_at) desc limit 50`
  const types = await db<TypePattern[]>`
    select c.source, c.case_type as "caseType", count(*)::int as cases,
           (count(*) filter (where c.severity in ('SEV-1', 'SEV-2')))::int as severe
    from cases c where ${window(db, since)}
    group by 1, 2 order by count(*) desc, 1, 2`
  const tags = await db<TagPattern[]>`
    select t.tag, count(*)::int as cases, ${recent(db)} as recent
    from incident_reviews r join cases c on c.id = r.case_id cross join unnest(r.root_cause_tags) as t(tag)
    where ${window(db, since)}
    group by t.tag order by count(*) desc, t.tag limit 50`
  return { since, customers, types, tags }
}
