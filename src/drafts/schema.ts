import { z } from 'zod'

export const recoveryActions = ['apology', 'apology_credit', 'executive_call_credit_roadmap', 'in_person_gesture'] as const
export type RecoveryAction = (typeof recoveryActions)[number]

export const recoveryLabels: Record<RecoveryAction, string> = {
  apology: 'Apology',
  apology_credit: 'Apology + service credit',
  executive_call_credit_roadmap: 'Executive call + credit + roadmap commitment',
  in_person_gesture: 'In-person meeting + significant gesture',
}

/** What a writer (the model or a template) drafts for. */
export const purposes = ['reply', 'update', 'resolution'] as const
export type DraftPurpose = (typeof purposes)[number]
/**
 * What a stored version is for: a writer's purpose, or the customer-facing incident summary that
 * people write in the post-incident review (src/reviews/customer-summary.ts, sql/00035), which is
 * sent, like every version, only once approved.
 */
export type VersionPurpose = DraftPurpose | 'incident_summary'

const modelFlagCodes = ['liability_admission', 'compensation_promise', 'blame', 'threat', 'legal_mention', 'placeholder', 'other'] as const

/**
 * What the model must answer (OpenAI structured output, strict JSON schema). No length limits in
 * the schema itself: strict mode rejects some keywords; lengths are checked after parsing.
 */
export const aiDraftSchema = z.object({
  subject: z.string().describe('The reply subject: keep "Re: <original subject>" so it stays in the thread.'),
  body: z.string().describe('The full plain-text reply, greeting to signature. No placeholders, no markdown.'),
  toneNotes: z.string().describe('One or two sentences for the approver on the tone chosen and why.'),
  missingFacts: z
    .array(z.string())
    .describe('Facts the writer needed and did not have (cause, dates, amounts, commitments). Empty if none.'),
  guardrailFlags: z
    .array(
      z.object({
        code: z.enum(modelFlagCodes),
        message: z.string(),
        evidence: z.string().describe('The exact words in the draft or thread that raised it.'),
      }),
    )
    .describe('Risks in this draft the approver must see. Empty if none.'),
  recoveryAction: z
    .enum(recoveryActions)
    .nullable()
    .describe('Proportional recovery to recommend to the team (never promised in the body); null for legal or regulatory matters.'),
  recoveryRationale: z.string().describe('Why that recovery is proportional to the impact.'),
})
export type AiDraft = z.infer<typeof aiDraftSchema>

/** A subject may be this long (sql/00020 stores them whole; the mail's Subject header is shortened when it leaves). */
export const MAX_SUBJECT_CHARS = 2000

/** Checks the parsed answer further: a usable draft, not an empty or runaway one. */
export function usableDraftProblem(d: AiDraft): string | null {
  if (d.body.trim().length < 40) return 'the body is empty or too short'
  if (d.body.length > 12_000) return 'the body is too long'
  if (!d.subject.trim() || d.subject.length > MAX_SUBJECT_CHARS) return 'the subject is empty or too long'
  if (d.missingFacts.length > 20 || d.guardrailFlags.length > 20) return 'too many items in the lists'
  return null
}

/** What a writer (model, template or person) produces for one version. */
export type DraftContent = {
  subject: string
  body: string
  toneNotes: string
  missingFacts: string[]
  recoveryAction: RecoveryAction | null
  recoveryRationale: string
}

/** Copies (CC) a reply may carry. */
export const MAX_COPIES = 10
