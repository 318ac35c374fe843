import { z } from 'zod'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import type { CaseDetail, TeamMember } from '../cases/detail.ts'
import { caseLabel, statusLabel } from '../cases/terms.ts'
import type { Tx } from '../db.ts'
import { caseUrl } from '../digest/sections.ts'
import { localTime } from '../digest/format.ts'
import { AppError } from '../http/errors.ts'
import { insertJob } from '../jobs/queries.ts'
import { loadWarRoomPanel, type WarRoomPanel } from './case-panel.ts'
import { insertInternalUpdate } from './queries.ts'
import { checklistSteps } from './checklist.ts'

// Internal status updates (the playbook's stakeholder communication): drafted from the case by
// the template below each time the composer opens (a GET changes nothing), edited by a person,
// then stored and sent as staff mail by the 'internal_update' job. Never customer mail: no
// outbox row, no approval, and the customer's address is withheld from the recipients.

export type InternalDraft = { subject: string; body: string }

/** The playbook's Progress Update, addressed to the team: status, what's done, next steps, next update. */
export function draftInternalUpdate(
  kase: CaseDetail,
  panel: WarRoomPanel,
  team: TeamMember[],
  now: Date,
  publicUrl: string,
): InternalDraft {
  const name = (id: string | null) => (id ? team.find((m) => m.id === id)?.name || team.find((m) => m.id === id)?.email : null)
  const when = (d: Date) => localTime(d, now, panel.timeZone)
  const { room, cadence } = panel
  const done = checklistSteps.filter(([s]) => panel.checklist.some((t) => t.step === s)).map(([, label]) => `- ${label}`)
  const nextUpdate = cadence.everyMinutes ? new Date(now.getTime() + cadence.everyMinutes * 60_000) : null
  const lines = [
    `${kase.severity} ${caseLabel(kase.number)}: ${kase.subject}`,
    `Customer: ${kase.customerName || kase.customerEmail || 'unknown'} · Owner: ${kase.ownerName || kase.ownerEmail || 'nobody yet'} · Incident commander: ${name(panel.commanderId) ?? 'not set'}`,
    '',
    `**Current Status**: ${room.statusLine || statusLabel(kase.status)}`,
    '',
    "**What We've Done**:",
    ...(done.length ? done : ['- Investigating']),
    ...(room.workaround
      ? [
          `- Workaround: ${room.workaround} (${room.workaroundCommunicated ? 'communicated to the customer' : 'not yet communicated to the customer'})`,
        ]
      : []),
    '',
    '**Next Steps**:',
    room.nextAction
      ? `- ${room.nextAction}${room.nextActionOwnerId ? ` (${name(room.nextActionOwnerId)})` : ''}${room.nextActionEta ? `, ETA ${when(room.nextActionEta)}` : ''}`
      : '- To be decided',
    ...(room.hypothesis ? ['', `**Root-cause hypothesis**: ${room.hypothesis}`] : []),
    '',
    `**Next Update**: ${nextUpdate ? when(nextUpdate) : 'on progress'}`,
    '',
    ...(room.channelUrl ? [`War room channel: ${room.channelUrl}`] : []),
    `The case: ${caseUrl(publicUrl, kase.id)}`,
  ]
  return {
    subject: `[${kase.severity}] ${caseLabel(kase.number)} internal update: ${room.statusLine || statusLabel(kase.status)}`.slice(0, 300),
    body: lines.join('\n'),
  }
}

const updateForm = z.object({
  subject: z.string().trim().min(1, 'Give the update a subject.').max(300, 'The subject is at most 300 characters.'),
  body: z.string().trim().min(1, 'Write the update.').max(20_000, 'The update is at most 20,000 characters.'),
})

export function parseInternalUpdate(form: Record<string, string>): InternalDraft {
  const parsed = updateForm.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues[0]!.message)
  return parsed.data
}

/**
 * Stores the edited update for the case's stakeholders and queues its send, in the caller's
 * transaction. Whether it went out after its cadence deadline is kept with it and audited.
 */
export async function sendInternalUpdate(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  draft: InternalDraft,
  now = new Date(),
): Promise<{ id: string; recipients: string[] }> {
  const kase = await lockCase(tx, caseId)
  const panel = await loadWarRoomPanel(tx, orgId, caseId, kase.ownerId, now)
  const { recipients } = panel.stakeholders
  if (recipients.length === 0) {
    throw new AppError('BAD_INPUT', 'Nobody receives this update yet: add collaborators, or ask an admin to set the stakeholder lists.')
  }
  const id = globalThis.crypto.randomUUID()
  await insertInternalUpdate(tx, orgId, {
    id,
    caseId,
    authorId: user.id,
    recipients,
    subject: draft.subject,
    text: draft.body,
    dueAt: panel.cadence.dueAt,
    idempotencyKey: `internal-update/${id}`,
  })
  const jobId = await insertJob(tx, orgId, 'internal_update', { id })
  await tx`update internal_updates set job_id = ${jobId} where id = ${id}`
  const late = Boolean(panel.cadence.dueAt && panel.cadence.dueAt.getTime() < now.getTime())
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'internal_update.create',
    caseId,
    details: {
      updateId: id,
      to: recipients,
      subject: draft.subject,
      late,
      ...(panel.cadence.dueAt ? { dueAt: panel.cadence.dueAt.toISOString() } : {}),
    },
  })
  return { id, recipients }
}
