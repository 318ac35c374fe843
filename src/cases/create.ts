import { z } from 'zod'
import { auditRecords, recordAudits, type Actor, type AuditEvent } from '../audit/audit.ts'
import { randomToken } from '../auth/crypto.ts'
import type { Tx } from '../db.ts'
import { queueCaseEvents } from '../events/events.ts'
import { insertJobs } from '../jobs/queries.ts'
import { singleLine } from '../outbound/headers.ts'
import { computeClockColumns } from '../sla/clocks.ts'
import { loadSlaSettings, type SlaSettings } from '../sla/settings.ts'
import {
  caseAccountIds,
  findCaseByExternalRef,
  insertCases,
  insertNote,
  numberNewCases,
  takeCaseNumbers,
  type Claims,
  type NewCaseRow,
} from './queries.ts'
import { enteredSources, severities, type CaseStatus, type CaseType, type ChannelKind, type Severity, type Source } from './terms.ts'

// Every case is born here, whichever way it came in (mail, the portal form, a CSV row): its
// clocks computed up front, one insert with every column, the account linked by one rule, one
// kind of reply token, the audit event, and its draft queued (or the reason it gets none).

export type NewCase = {
  source: Source
  customerEmail: string | null
  customerName: string | null
  /** The account a spreadsheet names (by domain or name); mail and the form have none. */
  customerAccount?: string | null
  forwardedBy?: string[]
  subject: string
  /** The subject of the customer's own mail, which a reply answers ("Re: …"); default: subject. */
  originalSubject?: string
  summary: string
  severity: Severity
  severityReasons: string[]
  caseType?: CaseType
  externalRef: string | null
  /** The forwarded original's fingerprint, so copies forwarded by several people find one case. */
  originalKey?: string | null
  /** What a reply threads on: the customer's Message-ID and its References chain. */
  replyToMessageId?: string | null
  replyReferences?: string[]
  /** The body a notice came through, or counsel: where a reply through it goes. */
  channel?: CaseChannel | null
  /** ISO 639-1 code of the customer's own words. */
  language?: string | null
  /** The executive the complaint reached. */
  executive?: CaseExecutive | null
  /** What intake read, kept as it was (corrections are compared against it). */
  intake?: Record<string, unknown> | null
  ownerId?: string | null
  /** Default: triaged with an owner, new without. */
  status?: CaseStatus
  openedAt: Date
  /** A CSV row's fingerprint: re-importing the same file creates nothing new. */
  importKey?: string | null
  /** The import run (portal upload) the row came from, and its columns with no field of their own. */
  importRunId?: string | null
  importFields?: { name: string; value: string }[] | null
  audit: { actor: Actor; details: Record<string, unknown> }
  /** Absent: the case gets a reply draft. */
  noDraft?: string
}

export type CaseChannel = { kind: ChannelKind; name: string | null; email: string | null; reference: string | null }
export type CaseExecutive = { email: string; name: string | null; title: string | null; configured: boolean; reason: string }

export type DraftOutcome = { queued: true; jobId: string } | { queued: false; reason: string }
export type CreatedCase = { id: string; number: number; draft: DraftOutcome }

/** Reply tokens ride in the Reply-To address (escalations+<token>@…): random, not the case number. */
const newReplyToken = () => randomToken(18)

const finished = (status: CaseStatus) => status === 'resolved' || status === 'closed'

function caseRow(orgId: string, number: number | null, c: NewCase, accountId: string | null, settings: SlaSettings): NewCaseRow {
  const ownerId = c.ownerId ?? null
  const status = c.status ?? (ownerId ? 'triaged' : 'new')
  const clocks = computeClockColumns(
    {
      openedAt: c.openedAt,
      severity: c.severity,
      status,
      firstResponseAt: null,
      lastOutboundAt: null,
      resolutionPausedAt: null,
      resolutionPausedSeconds: 0,
    },
    settings,
  )
  return {
    org_id: orgId,
    number,
    source: c.source,
    customer_email: c.customerEmail,
    customer_name: c.customerName,
    customer_account: c.customerAccount ?? null,
    forwarded_by: c.forwardedBy ?? [],
    subject: c.subject,
    original_subject: c.originalSubject ?? c.subject,
    summary: c.summary,
    severity: c.severity,
    severity_reasons: c.severityReasons,
    case_type: c.caseType ?? 'service',
    external_ref: c.externalRef,
    original_key: c.originalKey ?? null,
    reply_to_message_id: c.replyToMessageId ?? null,
    reply_references: c.replyReferences ?? [],
    owner_id: ownerId,
    owner_assigned_at: ownerId ? c.openedAt : null,
    status,
    reply_token: newReplyToken(),
    opened_at: c.openedAt,
    import_key: c.importKey ?? null,
    account_id: accountId,
    first_response_due_at: clocks.firstResponseDueAt,
    first_response_at_risk_at: clocks.firstResponseAtRiskAt,
    resolution_due_at: clocks.resolutionDueAt,
    resolution_at_risk_at: clocks.resolutionAtRiskAt,
    next_update_due_at: clocks.nextUpdateDueAt,
    next_update_at_risk_at: clocks.nextUpdateAtRiskAt,
    next_deadline_at: clocks.nextDeadlineAt,
    next_at_risk_at: clocks.nextAtRiskAt,
    channel_kind: c.channel?.kind ?? null,
    channel_name: c.channel?.name ?? null,
    channel_email: c.channel?.email?.toLowerCase() ?? null,
    channel_reference: c.channel?.reference ?? null,
    language: c.language ?? null,
    executive: c.executive ?? null,
    intake: c.intake ?? null,
    import_run_id: c.importRunId ?? null,
    import_fields: c.importFields?.length ? c.importFields : null,
  }
}

/** Why a new case gets no draft, or null when it gets one. */
function noDraftReason(c: NewCase, status: CaseStatus): string | null {
  if (c.noDraft) return c.noDraft
  if (finished(status)) return `it arrived ${status}: there is nobody to reply to`
  return null
}

export type CreateOptions = {
  settings?: SlaSettings
  /**
   * What else the transaction writes for the new cases (intake: the message, its keys, the raw
   * row's mark): run after they are inserted and before they are numbered, outside the org's locks.
   */
  beforeNumbering?: (inserted: { id: string }[]) => Promise<void>
  /** What the mail is recognised by: a case that claimed it meanwhile makes this throw CaseClaimed. */
  claims?: Claims
}

/**
 * Thrown, before anything is numbered, when another case claimed the mail between the caller's
 * look for a thread and the number: roll back and look again (the mail joins that case).
 */
export class CaseClaimed extends Error {
  constructor() {
    super('another case claimed this mail while it was being filed')
  }
}

/** Creates one case (see createCases). */
export async function createCase(tx: Tx, orgId: string, c: NewCase, options: CreateOptions = {}): Promise<CreatedCase> {
  const [created] = await createCases(tx, orgId, [c], options)
  return created!
}

/**
 * Creates several cases with consecutive numbers, in a handful of statements however many there
 * are (a CSV import does 500 at a time): the accounts looked up, the cases inserted, their draft
 * jobs and case events written, and last their audit events. The org row that hands out numbers
 * and the audit chain's lock are held from the statement that takes them to commit: a case alone
 * takes its number and writes its audit event in one last statement (numberNewCases), so they
 * serialise one statement of the org's writers, not the whole transaction.
 */
export async function createCases(tx: Tx, orgId: string, cases: NewCase[], options: CreateOptions = {}): Promise<CreatedCase[]> {
  if (cases.length === 0) return []
  // A batch (a CSV import's 500 rows) takes its numbers first and is inserted numbered: its one
  // transaction holds the org row from its first batch to the end of the file anyway, and
  // numbering after the insert would write every row twice. One case (mail, the form, the API)
  // is numbered last, so the org row is held for one statement.
  const batch = cases.length > 1 && !options.beforeNumbering && !options.claims
  const firstTaken = batch ? await takeCaseNumbers(tx, orgId, cases.length) : null
  const [settings, accounts] = await Promise.all([
    options.settings ?? loadSlaSettings(tx, orgId),
    caseAccountIds(
      tx,
      cases.map((c) => ({ email: c.customerEmail, account: c.customerAccount ?? null })),
    ),
  ])
  const rows = cases.map((c, i) => caseRow(orgId, firstTaken === null ? null : firstTaken + i, c, accounts[i]!, settings))
  // As jsonb: postgres.js would send a list of objects as a PostgreSQL array.
  const inserted = await insertCases(
    tx,
    rows.map((r) => (r.import_fields ? { ...r, import_fields: tx.json(r.import_fields as never) } : r)),
  )
  await options.beforeNumbering?.(inserted)

  const audits: AuditEvent[] = inserted.map((row, i) => ({
    actor: cases[i]!.audit.actor,
    action: 'case.create',
    caseId: row.id,
    details: cases[i]!.audit.details,
  }))
  const reasons = cases.map((c, i) => noDraftReason(c, rows[i]!.status as CaseStatus))
  const drafted = inserted.filter((_, i) => reasons[i] === null)
  // One pipeline (postgres.js sends them all before reading an answer; PostgreSQL runs them in
  // order): the draft jobs and case events, then the numbers and the audit events.
  const [jobIds, , first] = await Promise.all([
    insertJobs(
      tx,
      orgId,
      'draft',
      drafted.map((row) => ({ caseId: row.id })),
    ),
    firstTaken === null ? queueCaseEvents(tx, orgId, audits) : recordAudits(tx, orgId, audits),
    firstTaken === null
      ? numberNewCases(
          tx,
          orgId,
          inserted.map((row) => row.id),
          auditRecords(audits),
          options.claims,
        )
      : firstTaken,
  ])
  if (first === null) throw new CaseClaimed()
  const jobOf = new Map(drafted.map((row, i) => [row.id, jobIds[i]!]))
  return inserted.map((row, i) => ({
    id: row.id,
    number: first + i,
    draft: reasons[i] === null ? { queued: true, jobId: jobOf.get(row.id)! } : { queued: false, reason: reasons[i]! },
  }))
}

export const newCaseSchema = z
  .object({
    source: z.enum(enteredSources, { error: 'Choose where the escalation came from.' }).default('form'),
    customerName: z.string().trim().max(200, 'Keep the name under 200 characters.').default(''),
    customerEmail: z.union([z.literal(''), z.email({ error: 'Enter a valid email address, or leave it empty.' })]).default(''),
    // One line: the subject heads the approval invite and the reply, where a line break would
    // start a header of its own.
    subject: z
      .string()
      .overwrite(singleLine)
      .min(3, 'Give the escalation a subject (at least 3 characters).')
      .max(2000, 'Keep the subject under 2,000 characters.'),
    summary: z
      .string()
      .trim()
      .min(10, 'Describe what happened (at least 10 characters).')
      .max(20_000, 'Keep the summary under 20,000 characters.'),
    severity: z.enum(severities, { error: 'Choose a severity.' }),
    externalRef: z.string().trim().max(100, 'Keep the reference under 100 characters.').default(''),
  })
  .refine((v) => v.customerName || v.customerEmail, { message: "Give the customer's name or email address.", path: ['customerEmail'] })

export type NewCaseInput = z.infer<typeof newCaseSchema>

export type FormCase = { id: string; number: number } & (
  { created: true; draft: DraftOutcome } | { created: false; reason: 'reference_taken' }
)

/** Where a form-shaped case came from, when not a person's form: a helpdesk ticket says so itself. */
export type FormOrigin = { via: string; severityReasons: string[]; details?: Record<string, unknown> }

const enteredByHand: FormOrigin = { via: 'form', severityReasons: ['set by the person who entered the escalation'] }

/**
 * A phoned-in or walked-in escalation, entered by a person: same clocks and audit as mail. One
 * external reference is one case: a reference another case has is refused, naming that case.
 * An escalated helpdesk ticket takes the same path, with its own origin.
 */
export async function createCaseFromForm(
  tx: Tx,
  orgId: string,
  input: NewCaseInput,
  actor: Actor,
  origin: FormOrigin = enteredByHand,
): Promise<FormCase> {
  if (input.externalRef) {
    const existing = await findCaseByExternalRef(tx, input.externalRef)
    if (existing) return { ...existing, created: false, reason: 'reference_taken' }
  }
  const created = await createCase(tx, orgId, {
    source: input.source,
    customerEmail: input.customerEmail.toLowerCase() || null,
    customerName: input.customerName || null,
    subject: input.subject,
    summary: input.summary,
    severity: input.severity,
    severityReasons: origin.severityReasons,
    externalRef: input.externalRef || null,
    openedAt: new Date(),
    audit: { actor, details: { via: origin.via, source: input.source, severity: input.severity, ...origin.details } },
  })
  await insertNote(tx, orgId, { caseId: created.id, subject: input.subject, text: input.summary, authorId: actor.id })
  return { ...created, created: true }
}
