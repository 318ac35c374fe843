// "Escalate to desk": a Slack message shortcut that opens a case from a message, with its text,
// author and permalink. The case is born through createCase like every other (clocks, audit,
// draft); the message's channel and ts are its key, so a second click finds the first case.
import { z } from 'zod'
import { systemActor } from '../../audit/audit.ts'
import { createCase } from '../../cases/create.ts'
import { insertNote } from '../../cases/queries.ts'
import { caseLabel } from '../../cases/terms.ts'
import { withOrg, type Db } from '../../db.ts'
import { rateSeverity } from '../../intake/severity.ts'
import { singleLine } from '../../outbound/headers.ts'
import { findSlackThreadOfMessage, insertSlackThread, lockSlackMessage } from './queries.ts'

/** The shortcut's Callback ID, as the Slack app's configuration must name it. */
export const ESCALATE_CALLBACK_ID = 'escalate_to_desk'

const slackTs = z.string().regex(/^\d{1,12}\.\d{1,8}$/)
const slackId = z.string().regex(/^[A-Za-z0-9]{1,40}$/)

/** The parts of Slack's message_action payload the desk reads. */
export const messageActionSchema = z.object({
  type: z.literal('message_action'),
  callback_id: z.string(),
  team: z
    .object({
      id: slackId,
      domain: z
        .string()
        .regex(/^[a-z0-9-]{1,60}$/)
        .optional(),
    })
    .nullish(),
  user: z.object({ id: slackId, name: z.string().max(200).optional(), username: z.string().max(200).optional() }),
  channel: z.object({ id: slackId, name: z.string().max(200).optional() }),
  message_ts: slackTs,
  message: z.object({
    ts: slackTs,
    thread_ts: slackTs.optional(),
    text: z.string().max(100_000).default(''),
    user: z.string().max(40).optional(),
    username: z.string().max(200).optional(),
    user_profile: z.object({ real_name: z.string().max(200).optional(), display_name: z.string().max(200).optional() }).optional(),
  }),
  response_url: z.string().max(2000).optional(),
})
export type MessageAction = z.infer<typeof messageActionSchema>

export type Escalated = { created: boolean; caseId: string; label: string }

/** A link to the message without asking Slack: the documented archive URL form. */
export function archiveLink(action: MessageAction): string | null {
  if (!action.team?.domain) return null
  const p = action.message.ts.replace('.', '')
  const thread = action.message.thread_ts ? `?thread_ts=${action.message.thread_ts}&cid=${action.channel.id}` : ''
  return `https://${action.team.domain}.slack.com/archives/${action.channel.id}/p${p}${thread}`
}

const authorOf = (m: MessageAction['message']) =>
  m.user_profile?.real_name || m.user_profile?.display_name || m.username || (m.user ? `Slack user ${m.user}` : 'a Slack user')

/** The first line of the message, as a subject: one line, at most 140 characters. */
function subjectOf(text: string): string {
  const first = singleLine(text.split('\n').find((l) => l.trim()) ?? '').replace(/<(?:[^|>]*\|)?([^>]*)>/g, '$1')
  const line = first.length > 140 ? `${first.slice(0, 139)}…` : first
  return line.length >= 3 ? line : 'Escalated from Slack'
}

/**
 * Opens the case (or finds the one this message opened before). Severity is read from the text by
 * intake's rubric, at least SEV-3: a person flagged it.
 */
export async function escalateSlackMessage(db: Db, orgId: string, action: MessageAction, permalink: string | null): Promise<Escalated> {
  const channelId = action.channel.id
  const messageTs = action.message.ts
  return withOrg(db, orgId, async (tx) => {
    await lockSlackMessage(tx, orgId, channelId, messageTs)
    const existing = await findSlackThreadOfMessage(tx, channelId, messageTs)
    if (existing) return { created: false, caseId: existing.caseId, label: caseLabel(existing.number) }
    const text = action.message.text.slice(0, 20_000)
    const rated = rateSeverity({
      text,
      lawyerLetter: false,
      lawsuitServed: false,
      bodyNotice: null,
      bodyComplaint: null,
      publicExposure: null,
      executive: null,
    })
    const severity = rated.severity === 'SEV-4' ? 'SEV-3' : rated.severity
    const reasons = rated.severity === 'SEV-4' ? ['escalated from Slack by a person: at least SEV-3'] : rated.reasons
    const subject = subjectOf(text)
    const escalatedBy = action.user.name ?? action.user.username ?? action.user.id
    const created = await createCase(tx, orgId, {
      source: 'direct',
      customerEmail: null,
      customerName: authorOf(action.message),
      subject,
      summary: text.trim().length >= 1 ? text : '(the Slack message had no text)',
      severity,
      severityReasons: reasons,
      externalRef: null,
      openedAt: new Date(),
      audit: { actor: systemActor, details: { via: 'slack', source: 'direct', severity, slackUser: action.user.id, channel: channelId } },
    })
    await insertSlackThread(tx, orgId, {
      caseId: created.id,
      teamId: action.team?.id ?? null,
      channelId,
      messageTs,
      threadTs: action.message.thread_ts ?? messageTs,
      permalink,
    })
    const where = permalink ? `: ${permalink}` : ` (channel ${channelId}, message ${messageTs})`
    await insertNote(tx, orgId, { caseId: created.id, subject, text: `Escalated from Slack by ${escalatedBy}${where}`, authorId: null })
    return { created: true, caseId: created.id, label: caseLabel(created.number) }
  })
}
