import { statusLabel } from '../cases/terms.ts'
import type { AuditRow } from './audit.ts'
import { warRoomSentence } from '../warroom/describe.ts'

// The audit trail in words: the case page's timeline and the post-incident review read the same
// sentences, so a review says exactly what the trail says.

/** An event with the name of whoever did it (null for the desk, the AI or the customer). */
export type DescribedEvent = Pick<AuditRow, 'actorKind' | 'actorId' | 'action' | 'details'> & { actorName: string | null }

/** One plain sentence per audit event: who did what, so anyone can read the history. */
export function describeEvent(e: DescribedEvent, names: Map<string, string>): string {
  const d = e.details as Record<string, string | string[] | undefined>
  // A person acting through an API token (src/api) is named with the token that did it.
  const via = d.via === 'api' && typeof d.token === 'string' ? ` (through API token ${d.token})` : ''
  const who =
    e.actorKind === 'user'
      ? `${e.actorName ?? 'Someone'}${via}`
      : e.actorKind === 'customer'
        ? 'The customer'
        : e.actorKind === 'ai'
          ? 'The AI'
          : 'The desk'
  const person = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? 'a former teammate') : 'nobody')
  const reason = d.reason ? `: “${d.reason}”` : ''
  const said: Said = { e, d, who, person, reason }
  return (
    caseSentence(said) ??
    replySentence(said) ??
    followUpSentence(said) ??
    mailAndOrgSentence(said) ??
    escalationSentence(said) ??
    warRoomSentence(e.action, d, who, person) ??
    `${who}: ${e.action}`
  )
}

/** What every sentence may use: the event, its details, who did it, a teammate's name, the reason given. */
type Said = {
  e: DescribedEvent
  d: Record<string, string | string[] | undefined>
  who: string
  person: (id: unknown) => string
  reason: string
}

/** The case's own life: opening, owners, severity and status, notes, the first response. */
function caseSentence({ e, d, who, person, reason }: Said): string | null {
  switch (e.action) {
    case 'case.create':
      return `Case opened from ${d.via ?? 'intake'}${d.source ? ` as ${d.source}` : ''}${d.severity ? `, ${d.severity}` : ''}`
    case 'case.assign':
      return d.to === e.actorId ? `${who} assigned themselves as owner` : `${who} assigned ${person(d.to)} as owner`
    case 'case.reassign':
      return `${who} reassigned the case from ${person(d.from)} to ${person(d.to)}${reason}`
    case 'case.acknowledge':
      return `${who} acknowledged the case`
    case 'case.severity_change':
      return `${who} changed severity ${d.from} → ${d.to}${reason}`
    case 'case.status_change':
      return `${who} moved the case from ${statusLabel(String(d.from))} to ${statusLabel(String(d.to))}${reason}`
    case 'case.resolve':
      return `${who} resolved the case; the customer is asked to confirm`
    case 'case.close':
      return `${who} closed the case${reason}`
    case 'case.reopen':
      return `${who} reopened the case`
    case 'case.confirm':
      return 'The customer confirmed the resolution'
    case 'case.first_response':
      return 'First response sent: the first-response clock stopped'
    case 'note.add':
      return `${who} added an internal note`
    case 'case.merge':
      return d.into
        ? `${who} merged this case into ${d.into}${reason}`
        : `${who} merged ${d.from ?? 'another case'} into this case${reason}`
    case 'case.correct':
      return `${who} corrected the ${d.field === 'externalRef' ? 'reference' : (d.field ?? 'case')}`
    default:
      return null
  }
}

/** The reply: drafts, approvals and sending. */
function replySentence({ e, d, who }: Said): string | null {
  switch (e.action) {
    case 'draft.create':
      return `${d.authorKind === 'user' ? `${who} saved` : d.authorKind === 'ai' ? 'The AI wrote' : 'The desk wrote'} draft version ${d.version}${d.fallbackReason ? ` from a template (${String(d.fallbackReason).replaceAll('_', ' ')})` : ''}${Number(d.blockers) ? `; ${d.blockers} problem(s) block approval` : ''}`
    case 'draft.request':
      return `${who} asked for a redraft${d.instruction ? `: “${d.instruction}”` : ''}`
    case 'approval.request':
      return `${who} asked for approval of version ${d.version}`
    case 'approval.void':
      return `Pending approvals lapsed: ${d.reason ?? 'the case changed'}`
    case 'draft.approve':
      return `${who} approved version ${d.version}${d.editedByApprover ? ' after editing it' : ''}${d.via === 'link' ? ' (email link)' : ''}`
    case 'draft.reject':
      return `${who} rejected version ${d.version}${d.note ? `: “${d.note}”` : ''}`
    case 'email.send':
      return `Reply sent to ${Array.isArray(d.to) ? d.to.join(', ') : 'the customer'}`
    case 'email.fail':
      return `Sending failed${d.permanent ? ' for good' : ''}: ${d.error ?? 'unknown error'}`
    default:
      return null
  }
}

/** After the case: the customer's rating, the review and its prevention actions. */
function followUpSentence({ e, d, who, person }: Said): string | null {
  switch (e.action) {
    case 'csat.submit':
      return `The customer rated the handling ${d.rating}/5${d.comment ? ', with a comment' : ''}`
    case 'review.create':
      return `${who} started the post-incident review`
    case 'review.update':
      return `${who} edited the post-incident review${Array.isArray(d.fields) && d.fields.length ? ` (${d.fields.join(', ')})` : ''}`
    case 'prevention.add':
      return `${who} added the prevention action “${d.title}” for ${person(d.ownerId)}, due ${d.dueOn}`
    case 'prevention.done':
      return `${who} marked the prevention action “${d.title}” done`
    case 'prevention.reopen':
      return `${who} reopened the prevention action “${d.title}”`
    case 'review.complete':
      return `${who} marked the ${d.kind === 'short' ? 'short review' : 'post-incident review'} complete`
    case 'review.override':
      return `${who} closed the case without a completed review: “${d.reason}”`
    case 'recovery.plan':
      return `${who} set the recovery plan's impact to ${d.impactLevel}${Array.isArray(d.items) && d.items.length ? ` (${d.items.length} item${d.items.length === 1 ? '' : 's'} added)` : ''}`
    case 'recovery.item_add':
      return `${who} added the recovery item “${d.title}” for ${person(d.ownerId)}, due ${d.dueOn}`
    case 'recovery.item_done':
      return `${who} marked the recovery item “${d.title}” done`
    case 'recovery.item_reopen':
      return `${who} reopened the recovery item “${d.title}”`
    case 'recovery.check':
      return `${who} recorded the 90-day check: relationship ${d.maintained ? 'maintained' : 'not maintained'}`
    default:
      return null
  }
}

/** Mail that came in, and the organization's settings. */
function mailAndOrgSentence({ e, d, who }: Said): string | null {
  switch (e.action) {
    case 'message.quarantine':
      return `A message was quarantined: ${d.reason ?? ''}`
    case 'org.sla_change':
      return `${who} changed the SLA policy`
    case 'message.receive':
      return `Mail received from ${d.from ?? 'unknown'}${d.unknownSender ? ' (not on the case: flagged)' : ''}`
    case 'message.automatic':
      return `Automatic mail attached as a note (${d.reason ?? d.kind ?? 'not from the customer'})${d.delivery === 'failed' ? ': the reply bounced' : ''}`
    case 'org.executive_add':
      return `${who} added ${d.name ?? d.email} to the executives list`
    default:
      return null
  }
}

/** The escalation chain (src/escalation): a clock running down, who was told, who took it. */
function escalationSentence({ e, d, who }: Said): string | null {
  const clock = d.clock ?? 'deadline'
  switch (e.action) {
    case 'case.at_risk':
      return `The ${clock} turned at risk: the desk sent the at-risk alert`
    case 'case.breach':
      if (d.step === 'cadence') return 'The customer update was missed: the desk sent the missed-update alert'
      return `The ${clock} was breached ${d.minutes ?? 0} min ago: the desk alerted the ${d.step === 'executives' ? 'executives' : 'approvers'}`
    case 'case.escalation_ack':
      return `${who} took the escalation (“I'm on it”): no more alerts about this ${clock} deadline`
    case 'org.escalation_change':
      return `${who} changed the escalation chains`
    default:
      return null
  }
}
