import { loadSlaSettings } from '../sla/settings.ts'
import { loadHouseTemplates, type HouseTemplates } from '../playbook/templates.ts'
import type { Severity, Source } from '../cases/terms.ts'
import { nextUpdateDue } from '../sla/sla.ts'
import { listEarlierEscalations } from '../cases/repeats.ts'
import type { Tx } from '../db.ts'
import { htmlToText } from '../intake/html-text.ts'
import type { DraftPurpose } from './schema.ts'
import { caseExecutive } from '../orgs/executives.ts'
import { orgDraftSettingsSchema, type OrgDraftSettings } from './settings.ts'
import type { ChannelKind } from '../cases/terms.ts'
import { loadIntakeContext } from '../orgs/intake-context.ts'
import { replyRoute, type ReplyRoute } from './recipient.ts'
import { listCaseLetterTexts } from '../attachments/queries.ts'

export type ThreadEntry = { direction: 'inbound' | 'outbound'; from: string; at: Date; subject: string; text: string }

/**
 * Everything a draft may be written from, and nothing else: the thread as text, the
 * account, the customer's earlier cases, the org's name and signature, and the case's own facts
 * (number, source, severity, reference, clocks) that the instructions depend on. Internal notes
 * are not in it.
 */
export type DraftContext = {
  now: Date
  org: { name: string; timezone: string; settings: OrgDraftSettings }
  kase: {
    id: string
    number: number
    source: Source
    severity: Severity
    caseType: string
    status: string
    subject: string
    originalSubject: string
    summary: string
    customerName: string | null
    customerEmail: string | null
    externalRef: string | null
    /** The body a notice came through, or counsel; the reply may go back through it. */
    channelKind: ChannelKind | null
    channelName: string | null
    channelEmail: string | null
    /** ISO 639-1 code of the customer's own words: the reply is written in it. */
    language: string | null
    openedAt: Date
    firstResponseAt: Date | null
    firstResponseDueAt: Date | null
    resolutionDueAt: Date | null
    /** When we tell the customer to expect the next update (the cadence clock, or the first one after this reply). */
    nextUpdateAt: Date | null
    hasMessages: boolean
  }
  thread: ThreadEntry[]
  /**
   * The customer's UTC offset ('+02:00'), read from the Date header of the latest mail they sent
   * the desk themselves (a forward's Date is the forwarder's); null when unknown or +00:00, which
   * many servers write whatever the sender's zone.
   */
  customerTimeZone?: string | null
  /** Whether the customer wrote to us (mail of theirs in the thread), not phoned or was entered by hand. */
  customerWrote?: boolean
  account: { name: string; domain: string; plan: string | null; annualRevenue: string | null; health: string | null } | null
  earlierCases: { number: number; subject: string; status: string; openedAt: Date }[]
  /**
   * For a case that reached an executive's inbox, the executive the org lists for it: the reply
   * is written in their voice and signed with their name and title.
   */
  executive?: { email: string; name: string; title: string } | null
  /** The latest version, given to the model only when a person asked for a redraft with an instruction. */
  latest: { version: number; subject: string; body: string; purpose: DraftPurpose; recoveryAction: string | null } | null
  /** Who the reply goes to (never a no-reply address or a colleague), and why, in words. */
  replyRoute: ReplyRoute
  /** The team's own templates (src/playbook), by kind: the fallback fills them, the model is shown them. */
  houseTemplates?: HouseTemplates
}

const perMessageChars = 6000
const threadChars = 20_000
// The text of PDF letters (a lawyer's, a regulator's) the customer's mail carried: each cut to
// this much, and at most this much of them per case, after the message that attached them.
const perLetterChars = 8000
const lettersChars = 16_000

// Tags a mail client would render, not an address in angle brackets ("Pat <pat@x.test>").
const htmlTag =
  /<\/?(?:html|head|body|div|p|span|table|tbody|tr|td|th|script|style|a|img|br|font|b|i|u|strong|em|ul|ol|li|h[1-6]|iframe|form|input|meta|link|blockquote|center|section|article)\b[^>]*>/i

/** Customer text, never markup: a text part that is really HTML is reduced to its visible text. */
export function customerText(text: string): string {
  const plain = htmlTag.test(text) ? htmlToText(text) : text
  return plain
    .replace(/\r\n?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}\n[… ${s.length - n} more characters not shown]` : s)

export async function loadDraftContext(tx: Tx, caseId: string, now = new Date()): Promise<DraftContext | null> {
  const [row] = await tx<
    (DraftContext['kase'] & {
      orgName: string
      timezone: string
      settings: unknown
      nextUpdateDueAt: Date | null
      accountId: string | null
      orgId: string
    })[]
  >`
    select c.id, c.number, c.source, c.severity, c.case_type as "caseType", c.status, c.subject,
           coalesce(c.original_subject, c.subject) as "originalSubject", c.summary,
           c.customer_name as "customerName", c.customer_email as "customerEmail", c.external_ref as "externalRef",
           c.channel_kind as "channelKind", c.channel_name as "channelName", c.channel_email as "channelEmail", c.language,
           c.opened_at as "openedAt", c.first_response_at as "firstResponseAt", c.first_response_due_at as "firstResponseDueAt",
           c.resolution_due_at as "resolutionDueAt", c.next_update_due_at as "nextUpdateDueAt", c.account_id as "accountId",
           c.org_id as "orgId", o.name as "orgName", o.timezone, o.settings
    from cases c join orgs o on o.id = c.org_id
    where c.id = ${caseId}`
  if (!row) return null

  const messages = await tx<
    {
      id: string
      direction: 'inbound' | 'outbound'
      fromEmail: string | null
      fromName: string | null
      createdAt: Date
      subject: string
      textBody: string
    }[]
  >`
    select id, direction, from_email as "fromEmail", from_name as "fromName", created_at as "createdAt", subject, text_body as "textBody"
    from messages where case_id = ${caseId} and direction in ('inbound', 'outbound')
    order by created_at, id`
  const letters = attachedLetters(await listCaseLetterTexts(tx, caseId))
  const [ownMail] = await tx<{ head: Uint8Array }[]>`
    select substring(r.raw from 1 for 16384) as head
    from messages m join inbound_raw r on r.id = m.raw_id
    where m.case_id = ${caseId} and m.direction = 'inbound' and lower(m.from_email) = lower(${row.customerEmail ?? ''})
    order by m.created_at desc limit 1`
  const [account] = row.accountId
    ? await tx<
        NonNullable<DraftContext['account']>[]
      >`select name, domain, plan, annual_revenue::text as "annualRevenue", health from accounts where id = ${row.accountId}`
    : []
  const earlierCases = (await listEarlierEscalations(tx, caseId)).map(({ number, subject, status, openedAt }) => ({
    number,
    subject,
    status,
    openedAt,
  }))
  const [latest] = await tx<NonNullable<DraftContext['latest']>[]>`
    select version, subject, body, purpose, recovery_action as "recoveryAction" from drafts
    where case_id = ${caseId} order by version desc limit 1`

  const executive = row.source === 'ceo_inbox' ? await caseExecutive(tx, caseId) : null
  const { policy, calendar } = await loadSlaSettings(tx, row.orgId)
  const route = replyRoute(row, await loadIntakeContext(tx, row.orgId))
  // Before the first reply there is no cadence clock yet: the promise is one interval after now.
  const nextUpdateAt = row.nextUpdateDueAt ?? nextUpdateDue(now, row.severity, policy, calendar)

  return {
    now,
    org: { name: row.orgName, timezone: row.timezone, settings: orgDraftSettingsSchema.parse(row.settings ?? {}) },
    kase: {
      id: row.id,
      number: row.number,
      source: row.source,
      severity: row.severity,
      caseType: row.caseType,
      status: row.status,
      subject: row.subject,
      originalSubject: row.originalSubject,
      summary: customerText(row.summary),
      customerName: row.customerName,
      customerEmail: row.customerEmail,
      externalRef: row.externalRef,
      channelKind: row.channelKind,
      channelName: row.channelName,
      channelEmail: row.channelEmail,
      language: row.language,
      openedAt: row.openedAt,
      firstResponseAt: row.firstResponseAt,
      firstResponseDueAt: row.firstResponseDueAt,
      resolutionDueAt: row.resolutionDueAt,
      nextUpdateAt: nextUpdateAt ? roundUpToFiveMinutes(nextUpdateAt) : null,
      hasMessages: messages.length > 0,
    },
    thread: fitThread(
      messages.map((m) => ({
        direction: m.direction,
        from: m.fromName ? `${m.fromName} <${m.fromEmail ?? 'unknown'}>` : (m.fromEmail ?? 'unknown'),
        at: m.createdAt,
        subject: m.subject,
        text: clip(customerText(m.textBody), perMessageChars) + (letters.get(m.id) ?? ''),
      })),
    ),
    customerTimeZone: ownMail ? dateHeaderOffset(ownMail.head) : null,
    customerWrote: messages.some((m) => m.direction === 'inbound') && row.source !== 'form' && row.source !== 'csv',
    account: account ?? null,
    earlierCases,
    executive: executive ? { email: executive.email, name: executive.name, title: executive.title } : null,
    houseTemplates: await loadHouseTemplates(tx),
    latest: latest ?? null,
    replyRoute: route,
  }
}

/**
 * Each message's PDF letters as text to follow its own words, marked as the attached letter so
 * the model neither takes it for the customer's words nor misses it; bounded per letter and per case.
 */
function attachedLetters(rows: { messageId: string; filename: string; text: string }[]): Map<string, string> {
  const byMessage = new Map<string, string>()
  let budget = lettersChars
  for (const row of rows) {
    if (budget <= 0) break
    const text = clip(customerText(row.text), Math.min(perLetterChars, budget))
    budget -= text.length
    const block = `\n\n[Attached letter: ${row.filename}]\n${text}\n[End of the attached letter]`
    byMessage.set(row.messageId, (byMessage.get(row.messageId) ?? '') + block)
  }
  return byMessage
}

/** The first message (the complaint) and as many of the latest as fit. */
function fitThread(entries: ThreadEntry[]): ThreadEntry[] {
  if (entries.length <= 1) return entries
  const [first, ...rest] = entries
  let budget = threadChars - first!.text.length
  const kept: ThreadEntry[] = []
  for (const entry of rest.reverse()) {
    if (entry.text.length > budget) break
    budget -= entry.text.length
    kept.unshift(entry)
  }
  return [first!, ...kept]
}

function roundUpToFiveMinutes(d: Date): Date {
  const step = 5 * 60_000
  return new Date(Math.ceil(d.getTime() / step) * step)
}

/**
 * The offset of a message's Date header (`Tue, 24 Nov 2026 09:12:00 +0100` → '+01:00'), from
 * its first bytes; null without one, or for +0000/-0000, which says nothing about the sender.
 */
export function dateHeaderOffset(head: Uint8Array): string | null {
  const text = new TextDecoder('latin1').decode(head)
  const headers = text.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  const date = /^date:[ \t]*(.*)$/im.exec(headers)?.[1]
  const offset = date ? /([+-])(\d{2})(\d{2})\s*(?:\([^)]*\))?\s*$/.exec(date) : null
  if (!offset || (offset[2] === '00' && offset[3] === '00')) return null
  if (Number(offset[2]) > 14 || Number(offset[3]) > 59) return null
  return `${offset[1]}${offset[2]}:${offset[3]}`
}

/**
 * The zone times are written in for the customer: theirs when their own mail showed it, else
 * the organization's; null when neither is known (an org left on UTC), so that the reply says
 * "within 2 hours" rather than a bare UTC time the customer has to convert.
 */
export function replyTimeZone(ctx: Pick<DraftContext, 'org' | 'customerTimeZone'>): string | null {
  if (ctx.customerTimeZone) return ctx.customerTimeZone
  const zone = ctx.org.timezone
  return zone && !/^(utc|etc\/utc|gmt|etc\/gmt|z)$/i.test(zone) ? zone : null
}

/** When the customer will hear from us, after "we will update you": "by 14:30 CET on Tuesday 24 November", or "within 2 hours". */
export function promisedTime(ctx: Pick<DraftContext, 'org' | 'customerTimeZone' | 'now'>, d: Date): string {
  const zone = replyTimeZone(ctx)
  if (zone) {
    try {
      return `by ${customerTime(d, zone)}`
    } catch {
      // An unknown zone name: fall through to the relative form.
    }
  }
  const minutes = Math.max(5, Math.ceil((d.getTime() - ctx.now.getTime()) / 60_000))
  if (minutes < 90) return `within ${Math.ceil(minutes / 5) * 5} minutes`
  const hours = Math.ceil(minutes / 60)
  if (hours <= 36) return `within ${hours} hours`
  return `within ${Math.ceil(hours / 24)} days`
}

/** "14:30 CET on Tuesday 24 November": unambiguous for a customer in another time zone. */
export function customerTime(d: Date, timeZone: string): string {
  const { time, day } = formatsFor(timeZone)
  return `${time.format(d)} on ${day.format(d)}`
}

type ZoneFormats = { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat }
const zoneFormats = new Map<string, ZoneFormats>()

/**
 * The two formats of a zone, made once: an Intl.DateTimeFormat takes about half a millisecond to
 * build, and every draft asks. Zone names and offsets are a few hundred; the cache starts again
 * past that rather than grow. An unknown zone throws here, as before, and is not kept.
 */
function formatsFor(timeZone: string): ZoneFormats {
  let formats = zoneFormats.get(timeZone)
  if (!formats) {
    formats = {
      time: new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }),
      day: new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long' }),
    }
    if (zoneFormats.size >= 1_000) zoneFormats.clear()
    zoneFormats.set(timeZone, formats)
  }
  return formats
}

/**
 * Everyone a reply on this case may go to: the customer, the body or counsel it came through,
 * the executives who forwarded it, known senders. No-reply addresses and colleagues among them
 * are refused by their own guardrails.
 */
export async function allowedRecipients(tx: Tx, caseId: string): Promise<string[]> {
  const [row] = await tx<{ addresses: string[] }[]>`
    select array(
      select distinct lower(a) from (
        select customer_email as a from cases where id = ${caseId}
        union all select channel_email from cases where id = ${caseId}
        union all select unnest(forwarded_by) from cases where id = ${caseId}
        union all select from_email from messages where case_id = ${caseId} and direction = 'inbound' and not unknown_sender
      ) s where a is not null and a <> '') as addresses`
  return row?.addresses ?? []
}
