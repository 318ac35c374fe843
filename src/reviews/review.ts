import { z } from 'zod'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import { caseLabel, sourceLabel } from '../cases/terms.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import { getCaseDetail, listTeam, listTimeline, type CaseDetail, type TeamMember } from '../cases/detail.ts'
import { isUuid } from '../http/ids.ts'
import { countEarlierEscalations } from '../cases/repeats.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { describeEvent } from '../audit/describe.ts'
import { formatTime } from '../../views/components/parts.tsx'
import { formatSeconds } from '../metrics/format.ts'
import {
  getReview,
  listPreventionActions,
  upsertReview,
  type PreventionAction,
  type ReviewFields,
  type ReviewKind,
  type StoredReview,
} from './queries.ts'
import { recoverySuggestion, type RecoverySuggestion } from './recovery.ts'
import { processPrompts, rootCauseTags } from './process.ts'

// The post-incident review of a case: the playbook's whole review for SEV-1/SEV-2, a short one
// (what happened, why, prevention) for SEV-3/SEV-4; generated from the case on first open, edited
// by the team, marked complete (src/reviews/completion.ts), exported as Markdown or printed. The timeline is always read from the audit
// trail (never stored), so the report says exactly what the trail says.

export const WHY_COUNT = 5
export const reviewSeverities = new Set(['SEV-1', 'SEV-2'])

export type ReviewTimelineEntry = { seq: string; action: string; at: Date; text: string }

export type ReviewReport = {
  kase: CaseDetail
  kind: ReviewKind
  orgName: string
  timezone: string
  fields: ReviewFields
  saved: StoredReview | null
  timeline: ReviewTimelineEntry[]
  actions: PreventionAction[]
  recovery: RecoverySuggestion | null
  team: TeamMember[]
}

type Clocks = {
  firstResponseSeconds: number | null
  resolutionSeconds: number | null
  customerConfirmedAt: Date | null
  earlier: number
  orgName: string
  timezone: string
  hasCalendar: boolean
}

/** The review of a case (saved text, or text generated from the case), or null when the case is not in this org. */
export async function loadReview(tx: Tx, orgId: string, caseId: string): Promise<ReviewReport | null> {
  if (!isUuid(caseId)) return null
  const kase = await getCaseDetail(tx, caseId)
  if (!kase) return null
  const [clocks] = await tx<Clocks[]>`
    select c.first_response_seconds as "firstResponseSeconds", c.resolution_seconds as "resolutionSeconds",
           c.customer_confirmed_at as "customerConfirmedAt", o.name as "orgName", o.timezone,
           o.business_calendar is not null as "hasCalendar",
           ${countEarlierEscalations(tx)} as earlier
    from cases c join orgs o on o.id = c.org_id where c.id = ${caseId}`
  const { policy } = await loadSlaSettings(tx, orgId)
  const saved = (await getReview(tx, caseId)) ?? null
  const team = await listTeam(tx)
  const names = new Map(team.map((m) => [m.id, m.name || m.email]))
  const timeline = (await listTimeline(tx, caseId)).map((e) => ({
    seq: String(e.seq),
    action: e.action,
    at: e.createdAt,
    text: describeEvent(e, names),
  }))
  const actions = await listPreventionActions(tx, caseId)
  const recovery = await recoverySuggestion(tx, caseId)
  const targets = {
    firstResponse: policy[kase.severity].firstResponseMinutes * 60,
    resolution: policy[kase.severity].resolutionMinutes * 60,
  }
  return {
    kase,
    // A review keeps the form it was written in; a lowered severity does not shorten it.
    kind: saved?.kind ?? (reviewSeverities.has(kase.severity) ? 'full' : 'short'),
    orgName: clocks!.orgName,
    timezone: clocks!.timezone,
    fields: saved ?? generateFields(kase, clocks!, targets, recovery),
    saved,
    timeline,
    actions,
    recovery,
    team,
  }
}

/** Every case can be reviewed: SEV-3/SEV-4 get the short form. */
export const reviewAvailable = (_r: Pick<ReviewReport, 'kase' | 'saved'>) => true

/** The first text of a review, from the case's own facts; people take it from there. */
export function generateFields(
  kase: CaseDetail,
  c: Clocks,
  targets: { firstResponse: number; resolution: number },
  recovery: RecoverySuggestion | null,
): ReviewFields {
  const when = (d: Date) => formatTime(d, c.timezone)
  const clock = c.hasCalendar ? ' working time' : ''
  const customer = kase.customerName ?? kase.customerEmail ?? 'an unknown customer'
  const response =
    kase.firstResponseAt && c.firstResponseSeconds !== null
      ? `First response after ${formatSeconds(c.firstResponseSeconds)}${clock} (target ${formatSeconds(targets.firstResponse)}: ${kase.firstResponseDueAt && kase.firstResponseAt <= kase.firstResponseDueAt ? 'met' : 'missed'}).`
      : 'No response was sent.'
  const resolution =
    kase.resolvedAt && c.resolutionSeconds !== null
      ? `Resolved ${when(kase.resolvedAt)}, after ${formatSeconds(c.resolutionSeconds)}${clock} (target ${formatSeconds(targets.resolution)}: ${kase.resolutionDueAt && kase.resolvedAt <= kase.resolutionDueAt ? 'met' : 'missed'}).`
      : 'Not resolved yet.'
  const summary = [
    `${caseLabel(kase.number)}, “${kase.subject}”: a ${kase.severity} ${kase.caseType} escalation from ${customer} (${sourceLabel(kase.source)}${kase.externalRef ? `, reference ${kase.externalRef}` : ''}), opened ${when(kase.openedAt)}.`,
    response,
    resolution,
    c.customerConfirmedAt ? `The customer confirmed the resolution ${when(c.customerConfirmedAt)}.` : '',
    kase.ownerName || kase.ownerEmail ? `Owner: ${kase.ownerName || kase.ownerEmail}.` : 'No owner was assigned.',
  ]
    .filter(Boolean)
    .join(' ')
  const account = kase.account
    ? `Account: ${kase.account.name || kase.account.domain}${kase.account.plan ? `, ${kase.account.plan} plan` : ''}${kase.account.annualRevenue ? `, annual revenue ${Number(kase.account.annualRevenue).toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })}` : ''}${kase.account.health ? `, health ${kase.account.health}` : ''}.`
    : ''
  const customerImpact = [
    `${kase.severity}${kase.severityReasons.length ? ` because: ${kase.severityReasons.join('; ')}` : ''}.`,
    account,
    c.earlier ? `${c.earlier} earlier escalation${c.earlier === 1 ? '' : 's'} from this customer.` : '',
    kase.summary.trim()
      ? `In the customer's words: “${kase.summary.trim().slice(0, 600)}${kase.summary.trim().length > 600 ? '…' : ''}”`
      : '',
  ]
    .filter(Boolean)
    .join('\n')
  return {
    summary,
    customerImpact,
    whys: Array.from({ length: WHY_COUNT }, () => ''),
    rootCause: '',
    resolution: kase.closeReason ? `Closed: ${kase.closeReason}` : '',
    recoveryTaken: recovery?.action ? `Suggested: ${recovery.label}. ${recovery.rationale} (Replace with what was done.)` : '',
    lessons: '',
    process: Array.from({ length: processPrompts.length }, () => ''),
    prevention: '',
    customerSummary: '',
    tags: [],
  }
}

const text = (max: number) =>
  z
    .string()
    .default('')
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(max, `Keep each part under ${max.toLocaleString('en-US')} characters.`))

export const reviewFormSchema = z.object({
  summary: text(20_000),
  customerImpact: text(20_000),
  why1: text(2000),
  why2: text(2000),
  why3: text(2000),
  why4: text(2000),
  why5: text(2000),
  rootCause: text(20_000),
  resolution: text(20_000),
  recoveryTaken: text(20_000),
  lessons: text(20_000),
  process1: text(2000),
  process2: text(2000),
  process3: text(2000),
  process4: text(2000),
  process5: text(2000),
  prevention: text(20_000),
  customerSummary: text(20_000),
  tags: z.string().default('').transform(rootCauseTags),
  /** updated_at of the text the form showed ('' for a review never saved). */
  base: z.string().default(''),
})

export type SaveResult = { ok: true; changed: string[] } | { ok: false; error: string; fields?: ReviewFields }

const fieldNames: (keyof ReviewFields)[] = [
  'summary',
  'customerImpact',
  'whys',
  'rootCause',
  'resolution',
  'recoveryTaken',
  'lessons',
  'process',
  'prevention',
  'customerSummary',
  'tags',
]

/**
 * Saves the review's text (audited, with the parts that changed). The form carries the version
 * it showed: if someone saved meanwhile, the save is refused rather than overwriting their text.
 */
export async function saveReview(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  form: Record<string, string>,
): Promise<SaveResult> {
  await lockCase(tx, caseId)
  const report = await loadReview(tx, orgId, caseId)
  if (!report) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const parsed = reviewFormSchema.safeParse(form)
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'The review is not valid.' }
  const f = parsed.data
  const fields: ReviewFields = {
    summary: f.summary,
    customerImpact: f.customerImpact,
    whys: [f.why1, f.why2, f.why3, f.why4, f.why5],
    rootCause: f.rootCause,
    resolution: f.resolution,
    recoveryTaken: f.recoveryTaken,
    lessons: f.lessons,
    process: [f.process1, f.process2, f.process3, f.process4, f.process5],
    prevention: f.prevention,
    customerSummary: f.customerSummary,
    tags: f.tags,
  }
  const current = report.saved ? report.saved.updatedAt.toISOString() : ''
  if (f.base !== current) {
    return {
      ok: false,
      error: `${report.saved?.updatedByName ?? 'Someone'} saved this review while you were editing. Your text is kept below: compare with the saved version, then save again.`,
      fields,
    }
  }
  const before = report.saved ?? null
  const changed = fieldNames.filter((k) => !before || JSON.stringify(before[k]) !== JSON.stringify(fields[k]))
  if (before && changed.length === 0) return { ok: true, changed }
  await upsertReview(tx, orgId, caseId, user.id, fields, report.kind)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: before ? 'review.update' : 'review.create',
    caseId,
    details: { fields: changed },
  })
  return { ok: true, changed }
}
