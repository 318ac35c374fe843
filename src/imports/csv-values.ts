// Cell-level normalisers for imported spreadsheets. Each returns the clean value or a message
// written for the person fixing the file.
import { z } from 'zod'
import { sources, statuses, type CaseStatus, type Severity, type Source } from '../cases/terms.ts'
import { wallMsToInstant } from '../sla/zoned-time.ts'

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string }
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value })
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message })

const squash = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, '')

/** A cell as the mapping step keys it: "  Lawyer  Letter " and "lawyer letter" are one value. */
export const valueKey = (cell: string) => cell.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ')

/**
 * Which way round a column's numeric dates are: a first number over 12 can only be a day, a
 * second over 12 only a month. Null when the cells say nothing (or contradict each other).
 */
export function dateOrderEvidence(cell: string): DateOrder | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})\b/.exec(cell)
  if (!m) return null
  const [a, b] = [+m[1]!, +m[2]!]
  if (a > 12 && b <= 12) return 'dmy'
  if (b > 12 && a <= 12) return 'mdy'
  return null
}

const severityWords: Record<string, Severity> = {}
for (const [severity, words] of [
  ['SEV-1', ['sev1', 's1', 'p0', 'p1', '1', 'critical', 'urgent', 'highest', 'blocker', 'emergency']],
  ['SEV-2', ['sev2', 's2', 'p2', '2', 'high', 'major']],
  ['SEV-3', ['sev3', 's3', 'p3', '3', 'medium', 'med', 'normal', 'moderate']],
  ['SEV-4', ['sev4', 's4', 'p4', '4', 'low', 'lowest', 'minor', 'trivial']],
] as const) {
  for (const word of words) severityWords[word] = severity
}

/** The words of a cell, lower-case: "P1 - Critical" → ["p1", "critical"]. */
const wordsOf = (cell: string) =>
  cell
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)

/** What a spreadsheet's severity or priority word means, or null when it is not one we know. */
export function guessSeverity(cell: string): Severity | null {
  const whole = severityWords[squash(cell)]
  if (whole) return whole
  // "P1 - Critical", "Sev 2 (major)", "High priority": the first word that is a severity word.
  for (const word of wordsOf(cell)) if (severityWords[word]) return severityWords[word]!
  return null
}

export function parseSeverity(cell: string): Parsed<Severity | null> {
  if (cell === '') return ok(null)
  const severity = guessSeverity(cell)
  return severity
    ? ok(severity)
    : fail(`unknown severity "${cell}" (use SEV-1..SEV-4, 1-4, critical, high, medium or low, or map it in the preview)`)
}

// Each source by its own name, and by what spreadsheets often call it.
const sourceWords: Record<string, Source> = {
  ...Object.fromEntries(sources.map((source) => [squash(source), source])),
  ceo: 'ceo_inbox',
  executive: 'ceo_inbox',
  ceoemail: 'ceo_inbox',
  betterbusinessbureau: 'bbb',
  legal: 'lawyer',
  attorney: 'lawyer',
  solicitor: 'lawyer',
  regulatory: 'regulator',
  socialmedia: 'social',
  twitter: 'social',
  facebook: 'social',
  linkedin: 'social',
  email: 'direct',
  phone: 'direct',
  webform: 'form',
  portal: 'form',
  import: 'csv',
}

// Words that say where an escalation came from, however a team phrases it ("Lawyer letter",
// "Attorney letter", "Legal", "Letter from counsel", "CEO email", "BBB complaint", "Tweet"…).
// Regulators first: "Attorney General" is a regulator, not a lawyer.
const sourceKeywords: [Source, RegExp][] = [
  [
    'regulator',
    /\b(?:regulators?|regulatory|attorney general|state ag|ag office|ftc|cfpb|ofcom|ombudsm[ae]n|data protection|dpa|ico|consumer protection|consumer affairs)\b/,
  ],
  ['bbb', /\b(?:bbb|better business bureau)\b/],
  ['lawyer', /\b(?:lawyers?|attorneys?|legal|solicitors?|counsel|law ?firm|cease and desist|litigation|lawsuit|demand letter)\b/],
  ['ceo_inbox', /\b(?:ceo|coo|cfo|founder|president|executive|exec|chairman|board)\b/],
  ['social', /\b(?:social|twitter|tweet|x\.com|facebook|instagram|linkedin|tiktok|reddit|youtube|trustpilot|review)\b/],
  ['form', /\b(?:web ?form|contact form|form|portal|website)\b/],
  ['direct', /\b(?:e-?mail|mail|phone|voice|call|chat|letter|support|ticket|walk-?in|in person)\b/],
]

/** What a spreadsheet's source or channel word means, or null when it is not one we know. */
export function guessSource(cell: string): Source | null {
  const whole = sourceWords[squash(cell)]
  if (whole) return whole
  const text = cell.normalize('NFKC').toLowerCase().replace(/[_/]+/g, ' ')
  return sourceKeywords.find(([, pattern]) => pattern.test(text))?.[0] ?? null
}

export function parseSource(cell: string): Parsed<Source> {
  if (cell === '') return ok('csv')
  const source = guessSource(cell)
  return source ? ok(source) : fail(`unknown source "${cell}" (use ${sources.join(', ')}, or map it in the preview)`)
}

const statusWords: Record<string, CaseStatus> = {
  ...Object.fromEntries(statuses.map((status) => [squash(status), status])),
  open: 'new',
  pending: 'waiting_customer',
  waitingoncustomer: 'waiting_customer',
  solved: 'resolved',
  onhold: 'in_progress',
  hold: 'in_progress',
  inprogress: 'in_progress',
  working: 'in_progress',
  escalated: 'in_progress',
  done: 'closed',
  complete: 'closed',
  completed: 'closed',
  fixed: 'resolved',
  awaitingcustomer: 'waiting_customer',
}

/** What a tracker's status word means (Zendesk's New/Open/Pending/On-hold/Solved/Closed included). */
export function guessStatus(cell: string): CaseStatus | null {
  return statusWords[squash(cell)] ?? null
}

export function parseStatus(cell: string): Parsed<CaseStatus | null> {
  if (cell === '') return ok(null)
  const status = guessStatus(cell)
  return status ? ok(status) : fail(`unknown status "${cell}" (use ${statuses.join(', ')}, or map it in the preview)`)
}

const emailSchema = z.email()

/** Accepts "jane@x.com" and "Jane Doe <jane@x.com>"; lower-cased so lookups match mail intake. */
export function parseEmail(cell: string): Parsed<{ email: string; displayName: string | null } | null> {
  if (cell === '') return ok(null)
  const angle = /^(.*?)\s*<([^<>]+)>$/.exec(cell)
  const email = (angle ? angle[2]! : cell).trim().toLowerCase()
  if (!emailSchema.safeParse(email).success) return fail(`"${cell}" is not an email address`)
  const displayName = angle ? angle[1]!.replace(/^"|"$/g, '').trim() || null : null
  return ok({ email, displayName })
}

const monthNames = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const timePart = String.raw`(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(am|pm)?)?`
const zonePart = String.raw`\s*(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?`
const isoDate = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})${timePart}${zonePart}$`, 'i')
const slashDate = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})${timePart}${zonePart}$`, 'i')
const dotDate = new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4})${timePart}${zonePart}$`, 'i')
const monthFirst = new RegExp(String.raw`^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})${timePart}${zonePart}$`, 'i')
const dayFirst = new RegExp(String.raw`^(\d{1,2}) ([a-z]{3,9})\.?,? (\d{4})${timePart}${zonePart}$`, 'i')

const FUTURE_TOLERANCE_MS = 24 * 60 * 60_000

/**
 * Dates as spreadsheets write them: ISO 8601 (with or without time and offset), US
 * month/day/year, or day/month/year for a file whose dates are written so (`order`; also when the
 * first number cannot be a month), European
 * day.month.year, and "March 7, 2025" / "7 Mar 2025", each with an optional time ("4:30 PM").
 * Without an offset the time is read in `timeZone` (the org's). A date more than a day ahead is
 * refused: it is almost always a day/month mix-up, and would break SLA clocks.
 */
/** How a file writes numeric dates: 03/07/2025 is 7 March (month first) or 3 July (day first). */
export type DateOrder = 'mdy' | 'dmy'

export function parseDate(cell: string, timeZone: string, now = Date.now(), order: DateOrder = 'mdy'): Parsed<Date | null> {
  if (cell === '') return ok(null)
  const text = cell.replace(/\s+/g, ' ').trim()
  let fields: { year: number; month: number; day: number; rest: (string | undefined)[] } | null = null
  let m: RegExpExecArray | null
  if ((m = isoDate.exec(text))) fields = { year: +m[1]!, month: +m[2]!, day: +m[3]!, rest: m.slice(4) }
  else if ((m = slashDate.exec(text))) {
    const [a, b] = [+m[1]!, +m[2]!]
    const year = m[3]!.length === 2 ? 2000 + +m[3]! - (+m[3]! >= 70 ? 100 : 0) : +m[3]!
    const dayFirst = a > 12 || (order === 'dmy' && b <= 12)
    fields = dayFirst ? { year, month: b, day: a, rest: m.slice(4) } : { year, month: a, day: b, rest: m.slice(4) }
  } else if ((m = dotDate.exec(text))) fields = { year: +m[3]!, month: +m[2]!, day: +m[1]!, rest: m.slice(4) }
  else if ((m = monthFirst.exec(text))) fields = { year: +m[3]!, month: monthOf(m[1]!), day: +m[2]!, rest: m.slice(4) }
  else if ((m = dayFirst.exec(text))) fields = { year: +m[3]!, month: monthOf(m[2]!), day: +m[1]!, rest: m.slice(4) }
  if (!fields) return fail(`"${cell}" is not a date (use YYYY-MM-DD or YYYY-MM-DD HH:MM)`)

  const [hourText, minuteText, secondText, msText, meridiem, zone] = fields.rest
  let hour = hourText === undefined ? 0 : +hourText
  if (meridiem) {
    if (hour < 1 || hour > 12) return fail(`"${cell}" has an impossible time`)
    hour = (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0)
  }
  const minute = minuteText === undefined ? 0 : +minuteText
  const second = secondText === undefined ? 0 : +secondText
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, hour, minute, second, msText ? +msText.padEnd(3, '0') : 0)
  const check = new Date(wall)
  if (
    fields.month < 1 ||
    check.getUTCFullYear() !== fields.year ||
    check.getUTCMonth() !== fields.month - 1 ||
    check.getUTCDate() !== fields.day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return fail(`"${cell}" is not a real date or time`)
  }
  const instant = zone ? wall - zoneOffsetMs(zone) : wallMsToInstant(wall, timeZone)
  if (instant > now + FUTURE_TOLERANCE_MS) return fail(`"${cell}" is in the future (day and month swapped?)`)
  return ok(new Date(instant))
}

function monthOf(name: string): number {
  return monthNames.indexOf(name.slice(0, 3).toLowerCase()) + 1 // 0 (invalid) fails the check
}

function zoneOffsetMs(zone: string): number {
  if (/^(z|utc|gmt)$/i.test(zone)) return 0
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000
}

/** "acme.com", "@acme.com", "https://www.Acme.com/about" → "acme.com"; IDNs in punycode. */
export function parseDomain(cell: string): Parsed<string> {
  const stripped = cell
    .trim()
    .replace(/^.*@/, '')
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  let host: string
  try {
    host = new URL(`http://${stripped}`).hostname
  } catch {
    return fail(`"${cell}" is not a domain`)
  }
  host = host.replace(/^www\./, '').replace(/\.$/, '')
  if (!/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(host)) {
    return fail(`"${cell}" is not a domain`)
  }
  return ok(host)
}

/** "$120,000", "120000", "120k", "1.2M", "USD 5,000.50"; commas are thousands separators. */
export function parseMoney(cell: string): Parsed<number | null> {
  if (cell === '') return ok(null)
  const m = /^(?:[$€£¥]|usd|eur|gbp)?\s*((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(k|m|mm|bn|b)?\s*(?:usd|eur|gbp)?$/i.exec(cell.trim())
  if (!m) return fail(`"${cell}" is not an amount (write 120000 or $120,000)`)
  const multiplier = { k: 1e3, m: 1e6, mm: 1e6, b: 1e9, bn: 1e9 }[m[2]?.toLowerCase() ?? ''] ?? 1
  return ok(Math.round(Number(m[1]!.replaceAll(',', '')) * multiplier * 100) / 100)
}

export type HealthBand = 'green' | 'amber' | 'red'
const healthWords: Record<string, HealthBand> = {
  green: 'green',
  good: 'green',
  healthy: 'green',
  ok: 'green',
  amber: 'amber',
  yellow: 'amber',
  atrisk: 'amber',
  fair: 'amber',
  warning: 'amber',
  medium: 'amber',
  red: 'red',
  poor: 'red',
  bad: 'red',
  critical: 'red',
  churnrisk: 'red',
}

/** Bands, or a 0–100 score banded at 70 and 40 (the usual customer-success cut-offs). */
export function parseHealth(cell: string): Parsed<{ band: HealthBand; score: number | null } | null> {
  if (cell === '') return ok(null)
  const word = healthWords[squash(cell)]
  if (word) return ok({ band: word, score: null })
  const m = /^(\d{1,3}(?:\.\d+)?)\s*%?$/.exec(cell.trim())
  if (m && Number(m[1]) <= 100) {
    const score = Number(m[1])
    return ok({ band: score >= 70 ? 'green' : score >= 40 ? 'amber' : 'red', score })
  }
  return fail(`unknown health "${cell}" (use green, amber, red or a score from 0 to 100)`)
}
