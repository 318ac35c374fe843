import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import { recordAudit, type Actor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { enqueueJob } from '../intake/queries.ts'
import { singleLine } from '../outbound/headers.ts'
import { recomputeClocks } from '../sla/clocks.ts'
import { insertCase, takeCaseNumber } from './queries.ts'

const sources = ['form', 'ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct'] as const

export const newCaseSchema = z
  .object({
    source: z.enum(sources, { error: 'Choose where the escalation came from.' }).default('form'),
    customerName: z.string().trim().max(200, 'Keep the name under 200 characters.').default(''),
    customerEmail: z.union([z.literal(''), z.email({ error: 'Enter a valid email address, or leave it empty.' })]).default(''),
    // One line: the subject heads the approval invite and the reply, where a line break would
    // start a header of its own.
    subject: z.string().overwrite(singleLine).min(3, 'Give the escalation a subject (at least 3 characters).').max(300, 'Keep the subject under 300 characters.'),
    summary: z.string().trim().min(10, 'Describe what happened (at least 10 characters).').max(20_000, 'Keep the summary under 20,000 characters.'),
    severity: z.enum(['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'], { error: 'Choose a severity.' }),
    externalRef: z.string().trim().max(100, 'Keep the reference under 100 characters.').default(''),
  })
  .refine((v) => v.customerName || v.customerEmail, { message: 'Give the customer\'s name or email address.', path: ['customerEmail'] })

export type NewCaseInput = z.infer<typeof newCaseSchema>

/** A phoned-in or walked-in escalation, entered by a person: same clocks and audit as mail. */
export async function createCaseFromForm(tx: Tx, orgId: string, input: NewCaseInput, actor: Actor) {
  const number = await takeCaseNumber(tx, orgId)
  const kase = await insertCase(tx, orgId, number, {
    source: input.source,
    customerEmail: input.customerEmail.toLowerCase() || null,
    customerName: input.customerName || null,
    forwardedBy: [],
    subject: input.subject,
    summary: input.summary,
    severity: input.severity,
    severityReasons: ['set by the person who entered the escalation'],
    externalRef: input.externalRef || null,
    replyToken: randomBytes(18).toString('base64url'),
    openedAt: new Date(),
  })
  await tx`
    update cases set original_subject = ${input.subject},
      account_id = (select id from accounts where domain = split_part(${input.customerEmail.toLowerCase()}, '@', 2))
    where id = ${kase.id}`
  await tx`
    insert into messages (org_id, case_id, direction, subject, text_body, author_id)
    values (${orgId}, ${kase.id}, 'note', ${input.subject}, ${input.summary}, ${actor.id})`
  await recomputeClocks(tx, orgId, kase.id)
  await recordAudit(tx, orgId, { actor, action: 'case.create', caseId: kase.id, details: { via: 'form', source: input.source, severity: input.severity } })
  await enqueueJob(tx, orgId, 'draft', { caseId: kase.id })
  return { id: kase.id, number }
}
