import type { DbOrTx, Tx } from '../db.ts'
import type { Severity } from '../cases/terms.ts'

// The war room's statements (sql/00034), each run inside withOrg: RLS keeps them to the org.

export type WarRoom = {
  commanderId: string | null
  statusLine: string | null
  nextAction: string | null
  nextActionOwnerId: string | null
  nextActionEta: Date | null
  workaround: string | null
  workaroundCommunicated: boolean
  hypothesis: string | null
  channelUrl: string | null
}

export const emptyWarRoom: WarRoom = Object.freeze({
  commanderId: null,
  statusLine: null,
  nextAction: null,
  nextActionOwnerId: null,
  nextActionEta: null,
  workaround: null,
  workaroundCommunicated: false,
  hypothesis: null,
  channelUrl: null,
})

export async function getWarRoom(db: DbOrTx, caseId: string): Promise<WarRoom | undefined> {
  const [row]: [WarRoom?] = await db`
    select commander_id as "commanderId", status_line as "statusLine", next_action as "nextAction",
           next_action_owner_id as "nextActionOwnerId", next_action_eta as "nextActionEta", workaround,
           workaround_communicated as "workaroundCommunicated", hypothesis, channel_url as "channelUrl"
    from case_war_rooms where case_id = ${caseId}`
  return row
}

export async function saveWarRoom(tx: Tx, orgId: string, caseId: string, w: WarRoom): Promise<void> {
  await tx`
    insert into case_war_rooms (case_id, org_id, commander_id, status_line, next_action, next_action_owner_id,
      next_action_eta, workaround, workaround_communicated, hypothesis, channel_url)
    values (${caseId}, ${orgId}, ${w.commanderId}, ${w.statusLine}, ${w.nextAction}, ${w.nextActionOwnerId},
      ${w.nextActionEta}, ${w.workaround}, ${w.workaroundCommunicated}, ${w.hypothesis}, ${w.channelUrl})
    on conflict (case_id) do update set commander_id = excluded.commander_id, status_line = excluded.status_line,
      next_action = excluded.next_action, next_action_owner_id = excluded.next_action_owner_id,
      next_action_eta = excluded.next_action_eta, workaround = excluded.workaround,
      workaround_communicated = excluded.workaround_communicated, hypothesis = excluded.hypothesis,
      channel_url = excluded.channel_url, updated_at = now()`
}

export type Collaborator = { userId: string; name: string; email: string }

export async function listCollaborators(db: DbOrTx, caseId: string): Promise<Collaborator[]> {
  return db<Collaborator[]>`
    select u.id as "userId", coalesce(nullif(u.name, ''), u.email) as name, u.email
    from case_collaborators k join app_users u on u.id = k.user_id
    where k.case_id = ${caseId} order by k.added_at, u.email`
}

/** True when the teammate was not on the case yet. */
export async function insertCollaborator(tx: Tx, orgId: string, caseId: string, userId: string, addedBy: string): Promise<boolean> {
  const rows = await tx`
    insert into case_collaborators (case_id, org_id, user_id, added_by) values (${caseId}, ${orgId}, ${userId}, ${addedBy})
    on conflict do nothing returning user_id`
  return rows.length > 0
}

export async function deleteCollaborator(tx: Tx, caseId: string, userId: string): Promise<boolean> {
  const rows = await tx`delete from case_collaborators where case_id = ${caseId} and user_id = ${userId} returning user_id`
  return rows.length > 0
}

export type ChecklistTick = { step: string; doneBy: string | null; doneAt: Date }

export async function listChecklist(db: DbOrTx, caseId: string): Promise<ChecklistTick[]> {
  return db<ChecklistTick[]>`
    select step, done_by as "doneBy", done_at as "doneAt" from case_checklist_steps where case_id = ${caseId}`
}

export async function tickStep(tx: Tx, orgId: string, caseId: string, step: string, userId: string): Promise<boolean> {
  const rows = await tx`
    insert into case_checklist_steps (case_id, org_id, step, done_by) values (${caseId}, ${orgId}, ${step}, ${userId})
    on conflict do nothing returning step`
  return rows.length > 0
}

export async function untickStep(tx: Tx, caseId: string, step: string): Promise<boolean> {
  const rows = await tx`delete from case_checklist_steps where case_id = ${caseId} and step = ${step} returning step`
  return rows.length > 0
}

export const audiences = ['exec', 'csm', 'engineering'] as const
export type Audience = (typeof audiences)[number]
export type StakeholderList = { severity: Severity; audience: Audience; emails: string[] }

export async function listStakeholderLists(db: DbOrTx): Promise<StakeholderList[]> {
  return db<StakeholderList[]>`select severity, audience, emails from stakeholder_lists order by severity, audience`
}

export async function saveStakeholderLists(tx: Tx, orgId: string, lists: StakeholderList[]): Promise<void> {
  for (const l of lists) {
    await tx`
      insert into stakeholder_lists (org_id, severity, audience, emails) values (${orgId}, ${l.severity}, ${l.audience}, ${l.emails})
      on conflict (org_id, severity, audience) do update set emails = excluded.emails, updated_at = now()`
  }
}

export type InternalUpdate = {
  id: string
  status: 'queued' | 'sent' | 'failed'
  recipients: string[]
  subject: string
  text: string
  authorName: string | null
  dueAt: Date | null
  createdAt: Date
  sentAt: Date | null
  lastError: string | null
}

export async function listInternalUpdates(db: DbOrTx, caseId: string, limit = 20): Promise<InternalUpdate[]> {
  return db<InternalUpdate[]>`
    select i.id, i.status, i.recipients, i.subject, i.text_body as text, coalesce(nullif(u.name, ''), u.email) as "authorName",
           i.due_at as "dueAt", i.created_at as "createdAt", i.sent_at as "sentAt", i.last_error as "lastError"
    from internal_updates i left join app_users u on u.id = i.author_id
    where i.case_id = ${caseId} order by i.created_at desc, i.id limit ${limit}`
}

export type NewInternalUpdate = {
  id: string
  caseId: string
  authorId: string
  recipients: string[]
  subject: string
  text: string
  dueAt: Date | null
  idempotencyKey: string
}

export async function insertInternalUpdate(tx: Tx, orgId: string, u: NewInternalUpdate): Promise<void> {
  await tx`
    insert into internal_updates (id, org_id, case_id, author_id, recipients, subject, text_body, due_at, idempotency_key)
    values (${u.id}, ${orgId}, ${u.caseId}, ${u.authorId}, ${u.recipients}, ${u.subject}, ${u.text}, ${u.dueAt}, ${u.idempotencyKey})`
}
