// What a chat notification says, and how Slack and Teams are given it. A notification is the
// summary line (case number, severity, source, customer name, clock) and a link: never what the
// customer wrote. The subject is added only when the organization turned that on.
import { sourceLabel } from '../../cases/terms.ts'
import { duration } from '../../digest/format.ts'
import type { CaseEvent, CaseSummary } from '../../events/events.ts'

export type ChatMessage = {
  /** "New SEV-1 escalation", "SLA breached", "Owned by Ana Silva". */
  headline: string
  /** ESC-1042 */
  label: string
  /** "SEV-1 · Lawyer · Jörg Müller · due in 40 min (at risk)". */
  line: string
  subject: string | null
  url: string
}

/** The headline of an event worth a channel's attention, or null (an ordinary case, an owner change). */
export function channelHeadline(event: CaseEvent, summary: CaseSummary): string | null {
  switch (event.type) {
    case 'case.created':
      return summary.severity === 'SEV-1' || summary.severity === 'SEV-2' ? `New ${summary.severity} escalation` : null
    case 'case.at_risk':
      return 'At risk'
    case 'case.breached':
      return 'SLA breached'
    case 'approval.requested':
      return 'Approval requested'
    case 'reply.sent':
      return 'Reply sent'
    case 'reply.failed':
      return 'Reply could not be delivered'
    default:
      return null
  }
}

/** What a Slack-born case tells the thread it came from: when it is owned and when it is answered. */
export function threadHeadline(event: CaseEvent, summary: CaseSummary): string | null {
  if (event.type === 'case.assigned') return summary.ownerName ? `Owned by ${summary.ownerName}` : null
  if (event.type === 'reply.sent') return 'Answered: a reply was sent to the customer'
  return null
}

/** "due in 40 min", "due in 3 h (at risk)", "breached 12 min ago", or "no clock running". */
export function clockText(summary: Pick<CaseSummary, 'deadline' | 'clockState'>, now = new Date()): string {
  if (!summary.deadline) return 'no clock running'
  const left = new Date(summary.deadline).getTime() - now.getTime()
  if (left <= 0 || summary.clockState === 'breached') return `breached ${duration(left)} ago`
  return `due in ${duration(left)}${summary.clockState === 'at_risk' ? ' (at risk)' : ''}`
}

export function composeMessage(
  headline: string,
  summary: CaseSummary,
  options: { includeSubject: boolean },
  now = new Date(),
): ChatMessage {
  const customer = summary.customerName ?? summary.customerEmail ?? 'unnamed customer'
  return {
    headline,
    label: summary.label,
    line: [summary.severity, sourceLabel(summary.source), customer, clockText(summary, now)].join(' · '),
    subject: options.includeSubject && summary.subject ? summary.subject : null,
    url: summary.url,
  }
}

/** Slack's mrkdwn reads &, < and > as markup (<!channel>, <url|text>): escaped, a name is only a name. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** chat.postMessage's (and an incoming webhook's) text and blocks; `text` is the notification's fallback. */
export function slackPayload(m: ChatMessage) {
  const body = [`*${slackEscape(m.headline)}* · <${m.url}|${m.label}>`, slackEscape(m.line), ...(m.subject ? [slackEscape(m.subject)] : [])]
  return {
    text: slackEscape(`${m.headline}: ${m.label} · ${m.line}`),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: body.join('\n') } },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: `Open ${m.label}` }, url: m.url }] },
    ],
    unfurl_links: false,
    unfurl_media: false,
  }
}

/** Adaptive Card text is Markdown: brackets would make a customer's name a link. */
const cardText = (text: string) => text.replace(/\[/g, '(').replace(/\]/g, ')')

/** A Teams message with one Adaptive Card, as incoming webhooks and Workflows take it. */
export function teamsPayload(m: ChatMessage) {
  const body = [
    { type: 'TextBlock', text: cardText(m.headline), weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: cardText(`${m.label} · ${m.line}`), wrap: true },
    ...(m.subject ? [{ type: 'TextBlock', text: cardText(m.subject), wrap: true, isSubtle: true }] : []),
  ]
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: `Open ${m.label}`, url: m.url }],
        },
      },
    ],
  }
}
