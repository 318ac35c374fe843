import { recordAudit, userActor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import type { UserRole } from '../orgs/queries.ts'
import { lockCase } from './case-record.ts'
import { caseLabel } from './terms.ts'

export type UserActor = { id: string; role: UserRole }

const canOverride = (role: UserRole) => role === 'approver' || role === 'admin'

/**
 * One accountable owner (README promise 4). The first assignment locks ownership; after that only an
 * approver or admin can reassign, and only with a written reason. Assigning moves a new case to
 * triaged.
 */
export async function assignOwner(tx: Tx, orgId: string, caseId: string, ownerId: string, actor: UserActor, reason?: string | null) {
  const c = await lockCase(tx, caseId)
  const [owner] = await tx<{ id: string; name: string; email: string }[]>`
    select id, name, email from app_users where id = ${ownerId} and disabled_at is null`
  if (!owner) throw new AppError('BAD_INPUT', 'Choose an active member of your team as the owner.')
  if (c.ownerId === ownerId) throw new AppError('INVALID_STATE', `${owner.name || owner.email} already owns ${caseLabel(c.number)}.`)
  const note = reason?.trim() || null

  if (c.ownerId) {
    if (!canOverride(actor.role)) {
      throw new AppError('FORBIDDEN', `${caseLabel(c.number)} already has an owner; only an approver or admin can reassign it.`)
    }
    if (!note) throw new AppError('BAD_INPUT', `Reassigning ${caseLabel(c.number)} needs a written reason.`)
  }
  await tx`
    update cases set owner_id = ${ownerId}, owner_assigned_at = now(), acknowledged_at = null,
      status = case when status = 'new' then 'triaged' else status end, updated_at = now()
    where id = ${caseId}`
  await recordAudit(tx, orgId, {
    actor: userActor(actor),
    action: c.ownerId ? 'case.reassign' : 'case.assign',
    caseId,
    details: { from: c.ownerId, to: ownerId, ...(note ? { reason: note } : {}), ...(c.status === 'new' ? { status: 'triaged' } : {}) },
  })
}

/** The owner says "I have it": recorded, so nobody wonders whether the owner knows. */
export async function acknowledgeCase(tx: Tx, orgId: string, caseId: string, actor: UserActor) {
  const c = await lockCase(tx, caseId)
  if (c.ownerId !== actor.id) throw new AppError('FORBIDDEN', `Only the owner of ${caseLabel(c.number)} can acknowledge it.`)
  const [row] = await tx<{ acknowledgedAt: Date | null }[]>`select acknowledged_at as "acknowledgedAt" from cases where id = ${caseId}`
  if (row?.acknowledgedAt) throw new AppError('INVALID_STATE', `You already acknowledged ${caseLabel(c.number)}.`)
  await tx`update cases set acknowledged_at = now() where id = ${caseId}`
  await recordAudit(tx, orgId, { actor: userActor(actor), action: 'case.acknowledge', caseId })
}
