import { z } from 'zod'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import { insertPreventionAction, setPreventionStatus } from './queries.ts'

// A review's prevention actions: one owner, a due date, open or done; the digest lists overdue ones.

export const preventionFormSchema = z.object({
  title: z
    .string()
    .default('')
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'Say what will be done.').max(300, 'Keep the action under 300 characters.')),
  ownerId: z.string().refine(isUuid, 'Choose who owns the action.'),
  dueOn: z.iso.date('Give a due date.'),
})

/** A prevention action with one owner and a due date; the digest lists it once overdue. */
export async function addPreventionAction(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  form: Record<string, string>,
): Promise<string> {
  const kase = await lockCase(tx, caseId)
  const parsed = preventionFormSchema.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues[0]?.message ?? 'The action is not valid.')
  const [owner] = await tx<{ id: string }[]>`select id from app_users where id = ${parsed.data.ownerId} and disabled_at is null`
  if (!owner) throw new AppError('BAD_INPUT', 'Choose an active teammate as the owner.')
  const id = await insertPreventionAction(tx, {
    orgId,
    caseId,
    ownerId: owner.id,
    title: parsed.data.title,
    dueOn: parsed.data.dueOn,
    createdBy: user.id,
  })
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'prevention.add',
    caseId: kase.id,
    details: { actionId: id, title: parsed.data.title, ownerId: owner.id, dueOn: parsed.data.dueOn },
  })
  return id
}

export async function markPreventionAction(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  actionId: string,
  status: 'open' | 'done',
): Promise<void> {
  await lockCase(tx, caseId)
  if (!isUuid(actionId)) throw new AppError('NOT_FOUND', 'That action does not exist.')
  const row = await setPreventionStatus(tx, caseId, actionId, status)
  if (!row) throw new AppError('INVALID_STATE', status === 'done' ? 'That action is already done.' : 'That action is already open.')
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: status === 'done' ? 'prevention.done' : 'prevention.reopen',
    caseId,
    details: { actionId, title: row.title },
  })
}
