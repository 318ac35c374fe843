import { z } from 'zod'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import { wallMsAt, wallMsToInstant } from '../sla/zoned-time.ts'
import { checklistSteps, stepLabel } from './checklist.ts'
import {
  deleteCollaborator,
  emptyWarRoom,
  getWarRoom,
  insertCollaborator,
  saveWarRoom,
  tickStep,
  untickStep,
  type WarRoom,
} from './queries.ts'

// The war room's rules (the playbook's resolution management): each change is checked, saved
// and audited in the caller's transaction, under the case's lock, so the timeline tells it.

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `At most ${max} characters.`)
    .transform((v) => v || null)
const teammate = z
  .string()
  .trim()
  .refine((v) => v === '' || isUuid(v), 'Choose a teammate from the list.')
  .transform((v) => v || null)

const warRoomForm = z.object({
  commanderId: teammate.prefault(''),
  statusLine: text(500).prefault(''),
  nextAction: text(500).prefault(''),
  nextActionOwnerId: teammate.prefault(''),
  nextActionEta: z
    .string()
    .trim()
    .refine(
      (v) => v === '' || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}:00Z`))),
      'Give the ETA as a date and time.',
    )
    .default(''),
  workaround: text(4000).prefault(''),
  workaroundCommunicated: z.enum(['yes', 'no']).default('no'),
  hypothesis: text(4000).prefault(''),
  // A link people open from the case: https only, so no javascript: or data: URL lands on the page.
  channelUrl: text(500)
    .prefault('')
    .refine((v) => v === null || (/^https:\/\/[^\s]+$/.test(v) && URL.canParse(v)), 'The channel link must be an https:// address.'),
})

/** The org's time zone: an ETA is typed, and shown, in it. */
export async function orgTimeZone(tx: Tx): Promise<string> {
  const [row] = await tx<{ tz: string }[]>`select org_time_zone(timezone) as tz from orgs where id = app_org_id()`
  return row?.tz ?? 'UTC'
}

/** An instant as a datetime-local value in the zone. */
export const localInputValue = (d: Date | null, timeZone: string) =>
  d ? new Date(wallMsAt(d.getTime(), timeZone)).toISOString().slice(0, 16) : ''

async function assertTeammate(tx: Tx, userId: string | null): Promise<void> {
  if (!userId) return
  // RLS scopes app_users to the org: another org's user id is simply not a teammate.
  const [row] = await tx`select 1 from app_users where id = ${userId} and disabled_at is null`
  if (!row) throw new AppError('BAD_INPUT', 'Choose a teammate from the list.')
}

const fields = Object.keys(emptyWarRoom) as (keyof WarRoom)[]

/** Saves the war-room form; the audit event names each field that changed and its new value. */
export async function updateWarRoom(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  form: Record<string, string>,
): Promise<string> {
  await lockCase(tx, caseId)
  const parsed = warRoomForm.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues[0]!.message)
  const f = parsed.data
  await assertTeammate(tx, f.commanderId)
  await assertTeammate(tx, f.nextActionOwnerId)
  const timeZone = await orgTimeZone(tx)
  const next: WarRoom = {
    ...f,
    nextActionEta: f.nextActionEta ? new Date(wallMsToInstant(Date.parse(`${f.nextActionEta}:00Z`), timeZone)) : null,
    workaroundCommunicated: f.workaroundCommunicated === 'yes',
  }
  const before = (await getWarRoom(tx, caseId)) ?? emptyWarRoom
  const same = (a: unknown, b: unknown) =>
    a instanceof Date || b instanceof Date ? String(a?.valueOf()) === String(b?.valueOf()) : a === b
  const changed = fields.filter((k) => !same(before[k], next[k]))
  if (changed.length === 0) return 'Nothing changed in the war room.'
  await saveWarRoom(tx, orgId, caseId, next)
  const changes = Object.fromEntries(changed.map((k) => [k, next[k] instanceof Date ? (next[k] as Date).toISOString() : next[k]]))
  await recordAudit(tx, orgId, { actor: userActor(user), action: 'warroom.update', caseId, details: { fields: changed, changes } })
  return 'War room updated.'
}

export async function addCollaborator(tx: Tx, orgId: string, caseId: string, user: SessionUser, userId: string): Promise<string> {
  await lockCase(tx, caseId)
  if (!isUuid(userId)) throw new AppError('BAD_INPUT', 'Choose a teammate to add.')
  await assertTeammate(tx, userId)
  if (!(await insertCollaborator(tx, orgId, caseId, userId, user.id))) return 'Already a collaborator.'
  await recordAudit(tx, orgId, { actor: userActor(user), action: 'warroom.collaborator_add', caseId, details: { userId } })
  return 'Collaborator added: they receive the internal updates.'
}

export async function removeCollaborator(tx: Tx, orgId: string, caseId: string, user: SessionUser, userId: string): Promise<string> {
  await lockCase(tx, caseId)
  if (!isUuid(userId) || !(await deleteCollaborator(tx, caseId, userId)))
    throw new AppError('BAD_INPUT', 'That teammate is not a collaborator.')
  await recordAudit(tx, orgId, { actor: userActor(user), action: 'warroom.collaborator_remove', caseId, details: { userId } })
  return 'Collaborator removed.'
}

/** Ticks or unticks one resolution step. Closing still needs the customer's confirmation (src/cases/lifecycle.ts). */
export async function setChecklistStep(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  form: Record<string, string>,
): Promise<string> {
  await lockCase(tx, caseId)
  const step = checklistSteps.find(([s]) => s === form.step)?.[0]
  if (!step) throw new AppError('BAD_INPUT', 'Choose a resolution step.')
  const done = form.done !== 'no'
  const changed = done ? await tickStep(tx, orgId, caseId, step, user.id) : await untickStep(tx, caseId, step)
  if (!changed) return done ? 'That step was already done.' : 'That step was not done.'
  await recordAudit(tx, orgId, { actor: userActor(user), action: 'warroom.checklist', caseId, details: { step, done } })
  return done ? `Done: ${stepLabel(step)}.` : `Reopened: ${stepLabel(step)}.`
}
