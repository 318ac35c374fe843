import type { DbOrTx } from '../db.ts'

// A repeat escalation: the same customer escalated before. "The same customer" is the same
// address or, for a company, the same account; "before" is the 90 days ahead of this case's
// opening (older history is a different relationship), in the order cases were opened.
// The case page, a draft's context, the suggested recovery, the post-incident review and the
// metrics all mean this; metrics counts it over a whole period with window functions, the same
// definition computed set-wise (metrics/queries.ts repeatEscalations).

export const REPEAT_WINDOW_DAYS = 90

/**
 * `earlier` opened before `c`, within the window. The window's start as a sub-select: under
 * row-level security a bound computed with a function that is not leakproof (timestamptz -
 * interval) is not an index condition, and a probe read every older case of the address or
 * account before the window (40 per probe at 100,000 open).
 */
const openedBeforeWithinWindow = (db: DbOrTx) => db`(earlier.opened_at, earlier.number) < (c.opened_at, c.number)
  and earlier.opened_at >= (select c.opened_at - make_interval(days => ${REPEAT_WINDOW_DAYS}))`

/** `earlier` is a repeat escalation's earlier case of `c` (both aliases of cases). */
export const isEarlierEscalation = (db: DbOrTx) => db`
  ${openedBeforeWithinWindow(db)}
  and ((c.customer_email is not null and earlier.customer_email = c.customer_email)
       or (c.account_id is not null and earlier.account_id = c.account_id))`

/**
 * Whether `c` has an earlier escalation: exists (… where isEarlierEscalation), asked as one
 * exists per side (address, account), so each is an index probe (cases_customer_opened,
 * cases_account_opened) that stops at its first match. One exists over the OR read every case
 * of the address and the account (a bitmap of both) for each case asked: the queue's 200 rows.
 */
export const hasEarlierEscalation = (db: DbOrTx) => db`((c.customer_email is not null
    and exists (select 1 from cases earlier where earlier.customer_email = c.customer_email and ${openedBeforeWithinWindow(db)}))
  or (c.account_id is not null
    and exists (select 1 from cases earlier where earlier.account_id = c.account_id and ${openedBeforeWithinWindow(db)})))`

export type EarlierCase = { id: string; number: number; subject: string; status: string; openedAt: Date }

/** The earlier escalations of a case, newest first. */
export async function listEarlierEscalations(db: DbOrTx, caseId: string, limit = 5): Promise<EarlierCase[]> {
  return db<EarlierCase[]>`
    select earlier.id, earlier.number, earlier.subject, earlier.status, earlier.opened_at as "openedAt"
    from cases c join cases earlier on ${isEarlierEscalation(db)}
    where c.id = ${caseId}
    order by earlier.opened_at desc, earlier.number desc limit ${limit}`
}

/** How many earlier escalations a case has (a subquery over `c`, for a select list). */
export const countEarlierEscalations = (db: DbOrTx) => db`
  (select count(*)::int from cases earlier where ${isEarlierEscalation(db)})`
