// Each helpdesk's payload, read into one Ticket. Zendesk and Freshdesk post the JSON their admin
// writes into the trigger or automation rule (the settings page gives the body to paste, with
// their placeholders), the generic shape is the same; Help Scout and Intercom post their own
// conversation objects, for every conversation of the chosen events, so only those marked for
// escalation (a tag, or Intercom's priority) open a case. Every string is clipped here.
import { z } from 'zod'
import { singleLine } from '../../outbound/headers.ts'
import { htmlToText } from '../html-text.ts'
import { readPriority, type Priority, type Provider } from './terms.ts'

export type Ticket = {
  id: string
  subject: string
  description: string
  customerName: string | null
  customerEmail: string | null
  /** The link back to the ticket: http(s) only. */
  url: string | null
  priority: Priority | null
}

export type ReadTicket = { kind: 'ticket'; ticket: Ticket } | { kind: 'ignored'; reason: string } | { kind: 'invalid'; reason: string }

export const MAX_SUBJECT = 2000
export const MAX_DESCRIPTION = 20_000

const text = z.string().nullish()
const id = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform(String)
const escalationTags = new Set(['escalate', 'escalated', 'escalation'])

const clip = (value: string | null | undefined, max: number) => (value ?? '').trim().slice(0, max)
const orNull = (value: string) => value || null
const emailOrNull = (value: string | null | undefined) => {
  const email = clip(value, 254).toLowerCase()
  return z.email().safeParse(email).success ? email : null
}
/** Zendesk's {{ticket.url}} has no scheme; anything but http(s) is no link at all. */
function linkOrNull(value: string | null | undefined): string | null {
  const raw = clip(value, 2000)
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw) ? raw : raw ? `https://${raw}` : ''
  if (!URL.canParse(withScheme)) return null
  return /^https?:$/.test(new URL(withScheme).protocol) ? withScheme : null
}

function ticketOf(fields: {
  id: string
  subject: string | null | undefined
  description: string | null | undefined
  name: string | null | undefined
  email: string | null | undefined
  url: string | null | undefined
  priority: Priority | null
}): ReadTicket {
  const customerName = orNull(clip(singleLine(fields.name ?? ''), 200))
  const customerEmail = emailOrNull(fields.email)
  if (!customerName && !customerEmail)
    return { kind: 'invalid', reason: 'The ticket names no customer: give the requester a name or an email address.' }
  const description = clip(fields.description, MAX_DESCRIPTION)
  const subject = clip(singleLine(fields.subject ?? ''), MAX_SUBJECT) || `Ticket ${fields.id}`
  return {
    kind: 'ticket',
    ticket: { id: fields.id, subject, description, customerName, customerEmail, url: linkOrNull(fields.url), priority: fields.priority },
  }
}

const person = z.object({ name: text, email: text }).partial()
// The body the settings page gives for Zendesk, Freshdesk and the generic connection.
const ticketShape = z.object({
  ticket: z.object({
    id,
    subject: text,
    title: text,
    description: text,
    url: text,
    priority: z.union([z.string(), z.number()]).nullish(),
    requester: person.nullish(),
    customer: person.nullish(),
  }),
})

function readTicketShape(body: unknown): ReadTicket {
  const parsed = ticketShape.safeParse(body)
  if (!parsed.success) return { kind: 'invalid', reason: firstIssue(parsed.error) }
  const t = parsed.data.ticket
  const who = t.requester ?? t.customer ?? {}
  return ticketOf({
    id: t.id,
    subject: t.subject ?? t.title,
    description: t.description ? htmlToText(t.description) : '',
    name: who.name,
    email: who.email,
    url: t.url,
    priority: readPriority(t.priority),
  })
}

const helpScoutPerson = z.object({ first: text, last: text, email: text }).partial()
const helpScoutConversation = z.object({
  id,
  subject: text,
  preview: text,
  primaryCustomer: helpScoutPerson.nullish(),
  customer: helpScoutPerson.nullish(),
  tags: z.array(z.union([z.string(), z.object({ tag: z.string() })])).nullish(),
  _links: z.object({ web: z.object({ href: text }).nullish() }).nullish(),
  _embedded: z.object({ threads: z.array(z.object({ type: text, body: text })).nullish() }).nullish(),
})

function readHelpScout(body: unknown): ReadTicket {
  const parsed = helpScoutConversation.safeParse(body)
  if (!parsed.success) return { kind: 'invalid', reason: firstIssue(parsed.error) }
  const c = parsed.data
  const tags = (c.tags ?? []).map((t) => (typeof t === 'string' ? t : t.tag).trim().toLowerCase())
  if (!tags.some((t) => escalationTags.has(t))) return { kind: 'ignored', reason: 'the conversation is not tagged escalate' }
  const who = c.primaryCustomer ?? c.customer ?? {}
  const thread = c._embedded?.threads?.find((t) => t.type === 'customer' && t.body)
  return ticketOf({
    id: c.id,
    subject: c.subject,
    description: thread?.body ? htmlToText(thread.body) : c.preview,
    name: [who.first, who.last].filter(Boolean).join(' '),
    email: who.email,
    url: c._links?.web?.href,
    priority: tags.map(readPriority).find((p) => p !== null) ?? null,
  })
}

const intercomNotification = z.object({
  topic: z.string(),
  app_id: text,
  data: z.object({
    item: z.object({
      type: z.string(),
      id,
      title: text,
      priority: text,
      source: z.object({ subject: text, body: text, author: person.nullish() }).partial().nullish(),
      tags: z.object({ tags: z.array(z.object({ name: z.string() })) }).nullish(),
    }),
  }),
})

function readIntercom(body: unknown): ReadTicket {
  if ((body as { topic?: unknown } | null)?.topic === 'ping') return { kind: 'ignored', reason: 'a ping' }
  const parsed = intercomNotification.safeParse(body)
  if (!parsed.success) return { kind: 'invalid', reason: firstIssue(parsed.error) }
  const { item } = parsed.data.data
  if (item.type !== 'conversation') return { kind: 'ignored', reason: `a ${item.type.slice(0, 40)}, not a conversation` }
  const tags = (item.tags?.tags ?? []).map((t) => t.name.trim().toLowerCase())
  const flagged = item.priority === 'priority'
  if (!flagged && !tags.some((t) => escalationTags.has(t)))
    return { kind: 'ignored', reason: 'the conversation is neither marked priority nor tagged escalate' }
  const description = item.source?.body ? htmlToText(item.source.body) : ''
  const appId = parsed.data.app_id
  return ticketOf({
    id: item.id,
    subject: item.title || (item.source?.subject ? htmlToText(item.source.subject) : '') || description.split('\n')[0],
    description,
    name: item.source?.author?.name,
    email: item.source?.author?.email,
    url: appId ? `https://app.intercom.com/a/apps/${encodeURIComponent(appId)}/conversations/${encodeURIComponent(item.id)}` : null,
    // Intercom's priority is one flag: it reads as high; a priority tag says more.
    priority: tags.map(readPriority).find((p) => p !== null) ?? (flagged ? 'high' : null),
  })
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const path = issue?.path.length ? issue.path.join('.') : 'the body'
  return `${path}: ${issue?.message ?? 'not the expected shape'}`.slice(0, 200)
}

/** The ticket a provider's (already verified) JSON describes. */
export function readTicket(provider: Provider, body: unknown): ReadTicket {
  if (provider === 'helpscout') return readHelpScout(body)
  if (provider === 'intercom') return readIntercom(body)
  return readTicketShape(body)
}
