import type { DbOrTx, Tx } from '../db.ts'

export type ReviewFields = {
  summary: string
  customerImpact: string
  whys: string[]
  rootCause: string
  resolution: string
  recoveryTaken: string
  lessons: string
  /** The answers to the playbook's process review questions, in order (sql/00035). */
  process: string[]
  /** The short review's "how we prevent it" (SEV-3/4). */
  prevention: string
  /** The customer-facing incident summary; it reaches the customer only as an approved draft. */
  customerSummary: string
  /** Root-cause tags (lowercase words), which the pattern view groups by. */
  tags: string[]
}

/** full: SEV-1/2 (the playbook's whole review); short: SEV-3/4 (what happened, why, prevention). */
export type ReviewKind = 'full' | 'short'

export type StoredReview = ReviewFields & {
  id: string
  kind: ReviewKind
  updatedAt: Date
  updatedByName: string | null
  completedAt: Date | null
  completedByName: string | null
}

export async function getReview(db: DbOrTx, caseId: string): Promise<StoredReview | undefined> {
  const [row]: [StoredReview?] = await db`
    select r.id, r.summary, r.customer_impact as "customerImpact", r.whys, r.root_cause as "rootCause",
           r.resolution, r.recovery_taken as "recoveryTaken", r.lessons, r.updated_at as "updatedAt",
           r.process_answers as process, r.prevention, r.customer_summary as "customerSummary", r.root_cause_tags as tags,
           r.kind, r.completed_at as "completedAt", coalesce(nullif(cu.name, ''), cu.email) as "completedByName",
           coalesce(nullif(u.name, ''), u.email) as "updatedByName"
    from incident_reviews r left join app_users u on u.id = r.updated_by left join app_users cu on cu.id = r.completed_by
    where r.case_id = ${caseId}`
  return row
}

/** Creates or replaces the review's text; returns the new updated_at. */
export async function upsertReview(
  tx: Tx,
  orgId: string,
  caseId: string,
  userId: string,
  f: ReviewFields,
  kind: ReviewKind,
): Promise<Date> {
  const [row] = await tx<{ updatedAt: Date }[]>`
    insert into incident_reviews (org_id, case_id, kind, summary, customer_impact, whys, root_cause, resolution, recovery_taken, lessons,
                                  process_answers, prevention, customer_summary, root_cause_tags, created_by, updated_by)
    values (${orgId}, ${caseId}, ${kind}, ${f.summary}, ${f.customerImpact}, ${f.whys}, ${f.rootCause}, ${f.resolution}, ${f.recoveryTaken},
            ${f.lessons}, ${f.process}, ${f.prevention}, ${f.customerSummary}, ${f.tags}, ${userId}, ${userId})
    on conflict (case_id) do update set
      summary = excluded.summary, customer_impact = excluded.customer_impact, whys = excluded.whys,
      root_cause = excluded.root_cause, resolution = excluded.resolution, recovery_taken = excluded.recovery_taken,
      lessons = excluded.lessons, process_answers = excluded.process_answers, prevention = excluded.prevention,
      customer_summary = excluded.customer_summary, root_cause_tags = excluded.root_cause_tags,
      updated_by = excluded.updated_by, updated_at = clock_timestamp()
    returning updated_at as "updatedAt"`
  return row!.updatedAt
}

export type PreventionAction = {
  id: string
  title: string
  ownerId: string
  ownerName: string
  dueOn: string
  status: 'open' | 'done'
  doneAt: Date | null
  overdue: boolean
}

/** A case's prevention actions, oldest first; overdue = open and due before the org's local today. */
export async function listPreventionActions(db: DbOrTx, caseId: string): Promise<PreventionAction[]> {
  return db<PreventionAction[]>`
    select p.id, p.title, p.owner_id as "ownerId", coalesce(nullif(u.name, ''), u.email) as "ownerName",
           to_char(p.due_on, 'YYYY-MM-DD') as "dueOn", p.status, p.done_at as "doneAt",
           p.status = 'open' and p.due_on < (now() at time zone o.timezone)::date as overdue
    from prevention_actions p join app_users u on u.id = p.owner_id join orgs o on o.id = p.org_id
    where p.case_id = ${caseId} order by p.created_at, p.id`
}

export async function insertPreventionAction(
  tx: Tx,
  a: { orgId: string; caseId: string; ownerId: string; title: string; dueOn: string; createdBy: string },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into prevention_actions (org_id, case_id, owner_id, title, due_on, created_by)
    values (${a.orgId}, ${a.caseId}, ${a.ownerId}, ${a.title}, ${a.dueOn}, ${a.createdBy})
    returning id`
  return row!.id
}

/** Open ⇄ done; false when the action is not on this case or already in that state. */
export async function setPreventionStatus(
  tx: Tx,
  caseId: string,
  actionId: string,
  status: 'open' | 'done',
): Promise<{ title: string } | undefined> {
  const [row]: [{ title: string }?] = await tx`
    update prevention_actions set status = ${status}, done_at = case when ${status} = 'done' then now() end
    where id = ${actionId} and case_id = ${caseId} and status <> ${status}
    returning title`
  return row
}

/** Marks the review complete; false when there is no review or it already is. */
export async function markReviewComplete(tx: Tx, caseId: string, userId: string): Promise<boolean> {
  const rows = await tx`
    update incident_reviews set completed_at = now(), completed_by = ${userId}
    where case_id = ${caseId} and completed_at is null returning id`
  return rows.length === 1
}
