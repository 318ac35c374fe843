import type { DbOrTx, Tx } from '../db.ts'

// Approvers per severity and per source (approver_assignments). A case goes to the approvers
// listed for its source when there are any (say, lawyer and regulator cases only to those
// trained in legal review), else to those listed for its severity, else to every approver. The
// database applies the same rule to every approval (listed_approvers, sql/00018), and the lists
// change only through set_approvers(), which checks that an active admin acts and audits it.

export type ApproverScope = 'severity' | 'source'
export type ApproverList = { scope: ApproverScope; value: string; userIds: string[] }

export async function listApproverLists(db: DbOrTx): Promise<ApproverList[]> {
  return db<ApproverList[]>`
    select scope, value, array_agg(user_id order by user_id) as "userIds"
    from approver_assignments group by scope, value order by scope, value`
}

/** The users this case's approval goes to, or null when nothing is listed (every approver). */
export async function listedApprovers(db: DbOrTx, caseId: string): Promise<string[] | null> {
  const [row] = await db<{ listed: string[] | null }[]>`select listed_approvers(${caseId}) as listed`
  return row?.listed ?? null
}

/** Replaces one list; false when it was already exactly that. The function refuses a non-admin actor (42501). */
export async function setApprovers(tx: Tx, actorId: string, list: ApproverList): Promise<boolean> {
  const [row] = await tx<{ changed: boolean }[]>`
    select set_approvers(${actorId}, ${list.scope}, ${list.value}, ${list.userIds}::uuid[]) as changed`
  return row!.changed
}
