// Triage corrects what intake read, one click per field: the customer (name and address), the
// source, the reference, the severity (its own reason flow, src/cases/severity.ts). Each
// correction is audited and kept as a labelled example (the message, the field, what intake
// said, what the person decided), so the rules can be checked against what people decide.
import { z } from 'zod'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { DbOrTx, Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { loadIntakeContext } from '../orgs/intake-context.ts'
import { unusableRecipient } from '../drafts/recipient.ts'
import { lockCase } from './case-record.ts'
import type { IntakeReading } from './detail.ts'
import { findCaseByExternalRef } from './queries.ts'
import { caseLabel, sourceLabel, type Source } from './terms.ts'

export const correctionFields = ['customer', 'source', 'severity', 'externalRef', 'executive'] as const
export type CorrectionField = (typeof correctionFields)[number]

/** The sources intake can read from mail: a correction chooses among them. */
export const mailSources = ['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct'] as const satisfies readonly Source[]

type Person = { id: string }

/** What intake read, and the message it read it from (null for a case entered by hand). */
async function intakeOf(tx: DbOrTx, caseId: string): Promise<{ intake: IntakeReading | null; rawId: string | null }> {
  const [row] = await tx<{ intake: IntakeReading | null; rawId: string | null }[]>`
    select c.intake, (select m.raw_id from messages m where m.case_id = c.id and m.direction = 'inbound' and m.raw_id is not null
                      order by m.created_at, m.id limit 1) as "rawId"
    from cases c where c.id = ${caseId}`
  return row ?? { intake: null, rawId: null }
}

/**
 * Keeps a person's decision next to what intake said, for a case intake opened from mail. A
 * case entered by hand has nothing intake said: its corrections are audited only.
 */
export async function recordExample(
  tx: Tx,
  orgId: string,
  caseId: string,
  field: CorrectionField,
  decided: unknown,
  by: Person,
): Promise<boolean> {
  const { intake, rawId } = await intakeOf(tx, caseId)
  if (!intake || !rawId) return false
  const said =
    field === 'executive' ? ((intake as { executive?: unknown }).executive ?? null) : ((intake as Record<string, unknown>)[field] ?? null)
  await tx`
    insert into intake_examples (org_id, case_id, raw_id, field, intake_value, decided_value, decided_by)
    values (${orgId}, ${caseId}, ${rawId}, ${field}, ${tx.json(said as never)}, ${tx.json((decided ?? null) as never)}, ${by.id})`
  return true
}

const customerSchema = z.object({
  customerName: z.string().trim().max(200, 'Keep the name under 200 characters.').default(''),
  customerEmail: z.union([z.literal(''), z.email({ error: 'Enter a valid email address, or leave it empty.' })]).default(''),
})

/** The customer as a person decided: a colleague's or a machine's address is never the customer's. */
export async function correctCustomer(tx: Tx, orgId: string, caseId: string, user: Person, form: Record<string, string>): Promise<string> {
  // The case first: another org's id is a 404 whatever the form says.
  const c = await lockCase(tx, caseId)
  const parsed = customerSchema.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues[0]!.message)
  const name = parsed.data.customerName || null
  const email = parsed.data.customerEmail.toLowerCase() || null
  if (!name && !email) throw new AppError('BAD_INPUT', "Give the customer's name or address.")
  if (email) {
    const why = unusableRecipient(email, await loadIntakeContext(tx, orgId))
    if (why === 'colleague')
      throw new AppError('BAD_INPUT', `${email} is an address of your organization: a colleague is never the customer.`)
    if (why === 'no_reply') throw new AppError('BAD_INPUT', `${email} is a no-reply address: nobody would read a reply there.`)
  }
  const [before] = await tx<
    { name: string | null; email: string | null }[]
  >`select customer_name as name, customer_email as email from cases where id = ${caseId}`
  if (before!.name === name && before!.email === email)
    throw new AppError('INVALID_STATE', `${caseLabel(c.number)} already has this customer.`)
  // The account follows the address, by the same rule as at intake (case_account_id).
  await tx`
    update cases set customer_name = ${name}, customer_email = ${email},
      account_id = case_account_id(${email}::text, customer_account)
    where id = ${caseId}`
  const decided = { name, email }
  await recordExample(tx, orgId, caseId, 'customer', decided, user)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'case.correct',
    caseId,
    details: { field: 'customer', from: before, to: decided },
  })
  return email
    ? `Customer corrected to ${name ? `${name} <${email}>` : email}. The next draft goes to them; redraft or edit the current one.`
    : `Customer corrected to ${name}.`
}

export async function correctSource(tx: Tx, orgId: string, caseId: string, user: Person, value: string | undefined): Promise<string> {
  const c = await lockCase(tx, caseId)
  if (!(mailSources as readonly string[]).includes(value ?? '')) throw new AppError('BAD_INPUT', 'Choose where the escalation came from.')
  const source = value as Source
  if (c.source === source) throw new AppError('INVALID_STATE', `${caseLabel(c.number)} is already ${sourceLabel(source)}.`)
  await tx`update cases set source = ${source} where id = ${caseId}`
  await recordExample(tx, orgId, caseId, 'source', source, user)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'case.correct',
    caseId,
    details: { field: 'source', from: c.source, to: source },
  })
  return `Source corrected to ${sourceLabel(source)}.`
}

/** One reference, one case: a reference another case holds is refused, naming that case. */
export async function correctReference(tx: Tx, orgId: string, caseId: string, user: Person, value: string | undefined): Promise<string> {
  const c = await lockCase(tx, caseId)
  const ref = (value ?? '').trim() || null
  if (ref && ref.length > 100) throw new AppError('BAD_INPUT', 'Keep the reference under 100 characters.')
  const [before] = await tx<{ ref: string | null }[]>`select external_ref as ref from cases where id = ${caseId}`
  if (before!.ref === ref) throw new AppError('INVALID_STATE', `${caseLabel(c.number)} already has this reference.`)
  if (ref) {
    const other = await findCaseByExternalRef(tx, ref)
    if (other && other.id !== caseId) throw new AppError('CONFLICT', `${caseLabel(other.number)} already has the reference ${ref}.`)
  }
  await tx`update cases set external_ref = ${ref} where id = ${caseId}`
  await recordExample(tx, orgId, caseId, 'externalRef', ref, user)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'case.correct',
    caseId,
    details: { field: 'externalRef', from: before!.ref, to: ref },
  })
  return ref ? `Reference corrected to ${ref}.` : 'Reference removed.'
}

/**
 * An executive intake recognised by title, not on the org's list: an admin confirms them with
 * one click, which puts them on the list (their forwards then count as the CEO's inbox).
 */
export async function confirmExecutive(tx: Tx, orgId: string, caseId: string, user: Person & { role: string }): Promise<string> {
  await lockCase(tx, caseId)
  if (user.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin can change the executives list.')
  const [row] = await tx<{ executive: { email: string; name: string | null; title: string | null; configured: boolean } | null }[]>`
    select executive from cases where id = ${caseId}`
  const executive = row?.executive
  if (!executive || executive.configured) throw new AppError('INVALID_STATE', 'This case names no executive to add.')
  const added = await tx`
    insert into org_executives (org_id, email, name, title)
    values (${orgId}, ${executive.email.toLowerCase()}, ${(executive.name ?? '').slice(0, 200)}, ${(executive.title ?? '').slice(0, 200)})
    on conflict (org_id, email) do nothing returning email`
  await tx`update cases set executive = executive || '{"configured": true}'::jsonb where id = ${caseId}`
  const who = executive.name ?? executive.email
  if (!added.length) return `${who} is already on the executives list.`
  await recordExample(tx, orgId, caseId, 'executive', { ...executive, configured: true }, user)
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'org.executive_add',
    caseId,
    details: { email: executive.email, name: executive.name, title: executive.title },
  })
  return `${who} is now on the executives list.`
}

export type IntakeExample = {
  createdAt: Date
  caseNumber: number
  rawId: string | null
  messageId: string | null
  subject: string
  field: CorrectionField
  intakeValue: unknown
  decidedValue: unknown
  decidedBy: string | null
}

/** The org's labelled examples, oldest first (export: JSONL or CSV). */
export async function listIntakeExamples(db: DbOrTx): Promise<IntakeExample[]> {
  return db<IntakeExample[]>`
    select e.created_at as "createdAt", c.number as "caseNumber", e.raw_id as "rawId",
           (select m.message_id from messages m where m.raw_id = e.raw_id order by m.created_at limit 1) as "messageId",
           c.subject, e.field, e.intake_value as "intakeValue", e.decided_value as "decidedValue",
           coalesce(u.email, e.decided_by::text) as "decidedBy"
    from intake_examples e join cases c on c.id = e.case_id left join app_users u on u.id = e.decided_by
    order by e.created_at, e.id`
}
