import type { Tx } from '../db.ts'
import { sectionLimit } from '../digest/queries.ts'
import { checkDueOn } from './queries.ts'

// The digest's recovery sections: promises not kept ("no follow-through") and relationships due
// their 90-day check. Both read the org's local date the digest was computed for.

export type RecoveryLine = {
  caseId: string
  number: number
  title: string
  dueOn: string
  ownerName: string | null
  credit: string | null
  total: number
}

/** Open recovery items due before `localDate` (due on the 22nd, overdue from the 23rd), oldest first. */
export async function listOverdueRecoveryItems(tx: Tx, localDate: string): Promise<RecoveryLine[]> {
  return tx<RecoveryLine[]>`
    select c.id as "caseId", c.number, i.title, to_char(i.due_on, 'YYYY-MM-DD') as "dueOn",
           coalesce(nullif(u.name, ''), u.email) as "ownerName",
           case when i.credit_amount is not null then i.credit_amount::text || ' ' || i.credit_currency end as credit,
           (count(*) over ())::int as total
    from recovery_items i join cases c on c.id = i.case_id left join app_users u on u.id = i.owner_id
    where i.status = 'open' and i.due_on < ${localDate}::date
    order by i.due_on, c.number limit ${sectionLimit}`
}

export type RecoveryCheckLine = { caseId: string; number: number; subject: string; dueOn: string; total: number }

/** Plans whose 90-day check falls on or before `localDate` and is not recorded yet. */
export async function listRecoveryChecksDue(tx: Tx, localDate: string): Promise<RecoveryCheckLine[]> {
  return tx<RecoveryCheckLine[]>`
    select c.id as "caseId", c.number, c.subject, to_char(${checkDueOn(tx)}, 'YYYY-MM-DD') as "dueOn",
           (count(*) over ())::int as total
    from recovery_plans p join cases c on c.id = p.case_id join orgs o on o.id = p.org_id
    where p.checked_at is null and ${checkDueOn(tx)} <= ${localDate}::date
    order by ${checkDueOn(tx)}, c.number limit ${sectionLimit}`
}
