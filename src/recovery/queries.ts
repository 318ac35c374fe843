import type { DbOrTx, Tx } from '../db.ts'

// The recovery plan of a case and its tracked items (sql/00035), and the two facts other
// features read: overdue recovery items per case, and finished cases of a severity that needs a
// review closed without a completed one. Every function runs inside withOrg: row-level security
// scopes it to the org, so none takes an org id to filter by.

export const impactLevels = ['minor', 'moderate', 'significant', 'severe'] as const
export type ImpactLevel = (typeof impactLevels)[number]

export const itemKinds = [
  'apology',
  'service_credit',
  'executive_call',
  'roadmap',
  'in_person_meeting',
  'gesture',
  'check_in',
  'other',
] as const
export type ItemKind = (typeof itemKinds)[number]

/** Days after the case was resolved (or the plan made, before that) when the relationship is checked. */
export const CHECK_AFTER_DAYS = 90

/** Severities that need a completed review before the team closes a case, when the org set none. */
export const defaultRequiredSeverities = ['SEV-1', 'SEV-2']

export type RecoveryPlan = {
  id: string
  impactLevel: ImpactLevel
  relationshipMaintained: boolean | null
  checkNote: string
  checkedAt: Date | null
  checkedByName: string | null
  /** The org-local date of the 90-day check. */
  checkDueOn: string
  checkDue: boolean
  createdAt: Date
}

/** The local date a plan's 90-day check falls on, for a select over `p` (plans) joined to `c` (cases) and `o` (orgs). */
export const checkDueOn = (db: DbOrTx) => db`
  ((coalesce(c.resolved_at, p.created_at) at time zone o.timezone)::date + ${CHECK_AFTER_DAYS}::int)`

// Today is the caller's instant (the app's clock, which tests fake), read in the org's calendar.
const orgToday = (db: DbOrTx, now: Date) => db`(${now}::timestamptz at time zone o.timezone)::date`

export async function getRecoveryPlan(db: DbOrTx, caseId: string, now = new Date()): Promise<RecoveryPlan | undefined> {
  const [row]: [RecoveryPlan?] = await db`
    select p.id, p.impact_level as "impactLevel", p.relationship_maintained as "relationshipMaintained",
           p.check_note as "checkNote", p.checked_at as "checkedAt", coalesce(nullif(u.name, ''), u.email) as "checkedByName",
           to_char(${checkDueOn(db)}, 'YYYY-MM-DD') as "checkDueOn",
           p.checked_at is null and ${checkDueOn(db)} <= ${orgToday(db, now)} as "checkDue", p.created_at as "createdAt"
    from recovery_plans p join cases c on c.id = p.case_id join orgs o on o.id = p.org_id
    left join app_users u on u.id = p.checked_by
    where p.case_id = ${caseId}`
  return row
}

/** Creates the plan or changes its level; returns the level it had (null for a new plan). */
export async function upsertRecoveryPlan(
  tx: Tx,
  p: { orgId: string; caseId: string; impactLevel: ImpactLevel; userId: string },
): Promise<ImpactLevel | null> {
  const [before]: [{ impactLevel: ImpactLevel }?] = await tx`
    select impact_level as "impactLevel" from recovery_plans where case_id = ${p.caseId} for update`
  if (before) {
    await tx`update recovery_plans set impact_level = ${p.impactLevel}, updated_at = now() where case_id = ${p.caseId}`
  } else {
    await tx`
      insert into recovery_plans (org_id, case_id, impact_level, created_by)
      values (${p.orgId}, ${p.caseId}, ${p.impactLevel}, ${p.userId})`
  }
  return before?.impactLevel ?? null
}

/** Records the 90-day check once; false when it was already recorded. */
export async function recordRelationshipCheck(
  tx: Tx,
  caseId: string,
  c: { maintained: boolean; note: string; userId: string },
): Promise<boolean> {
  const rows = await tx`
    update recovery_plans set relationship_maintained = ${c.maintained}, check_note = ${c.note},
      checked_at = now(), checked_by = ${c.userId}, updated_at = now()
    where case_id = ${caseId} and checked_at is null
    returning id`
  return rows.length === 1
}

export type RecoveryItem = {
  id: string
  kind: ItemKind
  title: string
  ownerId: string
  ownerName: string
  dueOn: string
  creditAmount: string | null
  creditCurrency: string | null
  status: 'open' | 'done'
  doneAt: Date | null
  overdue: boolean
}

/** A case's items by due date; overdue = open and due before the org's local today. */
export async function listRecoveryItems(db: DbOrTx, caseId: string, now = new Date()): Promise<RecoveryItem[]> {
  return db<RecoveryItem[]>`
    select i.id, i.kind, i.title, i.owner_id as "ownerId", coalesce(nullif(u.name, ''), u.email) as "ownerName",
           to_char(i.due_on, 'YYYY-MM-DD') as "dueOn", i.credit_amount::text as "creditAmount",
           i.credit_currency as "creditCurrency", i.status, i.done_at as "doneAt",
           i.status = 'open' and i.due_on < ${orgToday(db, now)} as overdue
    from recovery_items i join app_users u on u.id = i.owner_id join orgs o on o.id = i.org_id
    where i.case_id = ${caseId} order by i.due_on, i.created_at, i.id`
}

export type NewRecoveryItem = {
  orgId: string
  caseId: string
  kind: ItemKind
  title: string
  ownerId: string
  dueOn: string
  creditAmount: string | null
  creditCurrency: string | null
  createdBy: string
}

export async function insertRecoveryItem(tx: Tx, i: NewRecoveryItem): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into recovery_items (org_id, case_id, kind, title, owner_id, due_on, credit_amount, credit_currency, created_by)
    values (${i.orgId}, ${i.caseId}, ${i.kind}, ${i.title}, ${i.ownerId}, ${i.dueOn}, ${i.creditAmount}, ${i.creditCurrency}, ${i.createdBy})
    returning id`
  return row!.id
}

/** Open ⇄ done; undefined when the item is not on this case or already in that state. */
export async function setRecoveryItemStatus(
  tx: Tx,
  caseId: string,
  itemId: string,
  status: 'open' | 'done',
  userId: string,
): Promise<{ title: string; kind: ItemKind } | undefined> {
  const [row]: [{ title: string; kind: ItemKind }?] = await tx`
    update recovery_items set status = ${status},
      done_at = case when ${status} = 'done' then now() end,
      done_by = case when ${status} = 'done' then ${userId}::uuid end
    where id = ${itemId} and case_id = ${caseId} and status <> ${status}
    returning title, kind`
  return row
}

/** The severities of the org that need a completed review before the team closes a case. */
export async function requiredReviewSeverities(db: DbOrTx): Promise<string[]> {
  const [row]: [{ severities: string[] }?] = await db`select required_severities as severities from review_settings`
  return row?.severities ?? defaultRequiredSeverities
}

export async function saveRequiredReviewSeverities(tx: Tx, orgId: string, severities: string[], userId: string): Promise<void> {
  await tx`
    insert into review_settings (org_id, required_severities, updated_by) values (${orgId}, ${severities}, ${userId})
    on conflict (org_id) do update set required_severities = excluded.required_severities,
      updated_by = excluded.updated_by, updated_at = now()`
}

export type OverdueRecoveryCase = {
  caseId: string
  number: number
  severity: string
  /** Open items due before the org's local today. */
  overdue: number
  oldestDueOn: string
  ownerNames: string[]
}

/**
 * The "no follow-through" fact: per case, the recovery items still open after their due date
 * (in the org's calendar: due on the 22nd, overdue from the 23rd), most overdue first. `caseIds`
 * asks only those cases (the red flags of a page's or a digest's rows).
 */
export async function overdueRecoveryItemsByCase(db: DbOrTx, now = new Date(), caseIds?: string[]): Promise<OverdueRecoveryCase[]> {
  return db<OverdueRecoveryCase[]>`
    select c.id as "caseId", c.number, c.severity, count(*)::int as overdue,
           to_char(min(i.due_on), 'YYYY-MM-DD') as "oldestDueOn",
           array_agg(distinct coalesce(nullif(u.name, ''), u.email)) as "ownerNames"
    from recovery_items i join cases c on c.id = i.case_id join orgs o on o.id = i.org_id
    join app_users u on u.id = i.owner_id
    where i.status = 'open' and i.due_on < ${orgToday(db, now)}
      ${caseIds ? db`and i.case_id = any(${caseIds}::uuid[])` : db``}
    group by c.id, c.number, c.severity
    order by min(i.due_on), c.number`
}

export type UnreviewedCase = {
  caseId: string
  number: number
  severity: string
  status: 'resolved' | 'closed'
  finishedAt: Date
  /** A review was started but not marked complete. */
  reviewStarted: boolean
  /** Someone closed it with a written reason instead of a review (audited as review.override). */
  overridden: boolean
}

/**
 * The "missing RCA" fact: resolved or closed cases of a severity the org requires a review for
 * (sql/00035 review_settings; SEV-1 and SEV-2 by default) without a completed review, newest first.
 * Without `caseIds`, every such case the org ever finished; the red flags pass the ids of the rows
 * they flag (one case page, the digest's cases finished in the last 7 days), read by primary key.
 */
export async function finishedWithoutCompletedReview(db: DbOrTx, caseIds?: string[]): Promise<UnreviewedCase[]> {
  const required = await requiredReviewSeverities(db)
  return db<UnreviewedCase[]>`
    select c.id as "caseId", c.number, c.severity, c.status,
           coalesce(c.closed_at, c.resolved_at) as "finishedAt", r.id is not null as "reviewStarted",
           exists (select 1 from audit_events e where e.case_id = c.id and e.action = 'review.override') as overridden
    from cases c left join incident_reviews r on r.case_id = c.id
    where c.status in ('resolved', 'closed') and c.severity = any(${required}) and r.completed_at is null
      and c.merged_into is null ${caseIds ? db`and c.id = any(${caseIds}::uuid[])` : db``}
    order by coalesce(c.closed_at, c.resolved_at) desc, c.number desc`
}
