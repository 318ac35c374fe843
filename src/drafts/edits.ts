// A person's edit of a reply draft: To, copies, subject, body and files, saved as a new version
// authored by them (through saveVersion, guardrails and all), and a file uploaded for a reply.
import { z } from 'zod'
import { userActor } from '../audit/audit.ts'
import { listCaseFiles, parseFileRefs, refKey, replyFilesProblem, saveUpload, type Upload } from '../attachments/reply-files.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { fieldErrors, formList } from '../http/forms.ts'
import { singleLine } from '../outbound/headers.ts'
import { saveVersion } from './drafts.ts'
import type { GuardrailFlag } from './guardrails.ts'
import { listDraftVersions } from './queries.ts'
import { MAX_COPIES, MAX_SUBJECT_CHARS } from './schema.ts'

const addressList = z.string().transform((s, ctx) => {
  const list = [
    ...new Set(
      s
        .split(/[\s,;]+/)
        .map((a) => a.trim().toLowerCase())
        .filter(Boolean),
    ),
  ]
  for (const a of list) {
    if (!z.email().safeParse(a).success) ctx.addIssue({ code: 'custom', message: `"${a}" is not an email address.` })
  }
  return list
})

export const draftEditSchema = z.object({
  to: addressList.pipe(z.array(z.string()).max(10, 'Send to at most 10 addresses.')),
  cc: addressList.pipe(z.array(z.string()).max(MAX_COPIES, `Copy at most ${MAX_COPIES} addresses.`)).optional(),
  subject: z
    .string()
    .transform(singleLine)
    .pipe(
      z
        .string()
        .min(1, 'Give the reply a subject.')
        .max(MAX_SUBJECT_CHARS, `Keep the subject under ${MAX_SUBJECT_CHARS.toLocaleString('en')} characters.`),
    ),
  body: z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().min(1, 'The reply is empty.').max(20_000, 'Keep the reply under 20,000 characters.')),
  baseVersion: z.coerce.number().int().min(0).default(0),
})

export type EditResult =
  { ok: true; version: number; flags: GuardrailFlag[] } | { ok: true; unchanged: true } | { ok: false; errors: Record<string, string> }

/**
 * A person's edit becomes a new version authored by them, guardrails and all. baseVersion is
 * the version the form showed: if someone saved another meanwhile, the edit is refused rather
 * than silently replacing text the editor never saw.
 */
export async function saveEditedDraft(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: { id: string },
  form: Record<string, string>,
  picks: DraftPicks = {},
): Promise<EditResult> {
  const parsed = draftEditSchema.safeParse({ ...form, ...copiesField(form, picks) })
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) }
  const input = parsed.data
  const [kase] = await tx<{ id: string }[]>`select id from cases where id = ${caseId} for no key update`
  if (!kase) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const [latest] = await listDraftVersions(tx, caseId, 1)
  if ((latest?.version ?? 0) !== input.baseVersion) {
    return {
      ok: false,
      errors: {
        form: `Version ${latest?.version} was saved while you were editing (by ${latest?.authorName ?? latest?.author}). Your text is kept below: compare, then save again.`,
      },
    }
  }
  // A form without the copies or the files (an approver's edit of the text) keeps the version's.
  const ccEmails = input.cc ?? latest?.ccEmails ?? []
  const files = picks.files ? parseFileRefs(picks.files) : (latest?.attachments.map(({ kind, id }) => ({ kind, id })) ?? [])
  const filesProblem = picks.files ? replyFilesProblem(files, await listCaseFiles(tx, caseId)) : null
  if (filesProblem) return { ok: false, errors: { files: filesProblem } }
  if (
    latest &&
    latest.subject === input.subject &&
    latest.body === input.body &&
    sameList(latest.toEmails, input.to) &&
    sameList(latest.ccEmails, ccEmails) &&
    sameList(latest.attachments.map(refKey), files.map(refKey))
  ) {
    return { ok: true, unchanged: true }
  }
  const saved = await saveVersion(
    tx,
    orgId,
    caseId,
    {
      authorKind: 'user',
      author: user.id,
      authorId: user.id,
      purpose: latest?.purpose ?? 'reply',
      toEmails: input.to,
      ccEmails,
      files,
      subject: input.subject,
      body: input.body,
      toneNotes: '',
      // The facts the writer lacked are still lacking unless someone says otherwise: an edit keeps
      // the list and its warning, which the approver confirms (or the text supplies) at approval.
      missingFacts: latest?.missingFacts ?? [],
      recoveryAction: latest?.recoveryAction ?? null,
      recoveryRationale: latest?.recoveryRationale ?? '',
      guardrailFlags: [],
      fallbackReason: null,
      instruction: null,
    },
    { actor: userActor(user), missingFacts: latest?.missingFacts ?? [], audit: { basedOn: latest?.version ?? null } },
  )
  return { ok: true, version: saved.version, flags: saved.flags }
}

/**
 * The repeated fields of the draft form: the suggested copies ticked (`cc`), and the files
 * chosen (`file`, "message:<id>" or "upload:<id>"); `files` is unset when the form did not list
 * them, and the version's files stay as they are.
 */
export type DraftPicks = { cc?: string[]; files?: string[] }

/** The CC typed and the suggestions ticked, as one list for the schema; unset when the form had neither. */
function copiesField(form: Record<string, string>, picks: DraftPicks): { cc?: string } {
  if (form.cc === undefined && picks.cc === undefined) return {}
  return { cc: [...(picks.cc ?? []), form.cc ?? ''].join(', ') }
}

/** The picks of a form parsed with `all: true`. */
export function draftPicksOf(body: Record<string, unknown>): DraftPicks {
  return {
    ...(body.ccShown === '1' ? { cc: formList(body.ccPick) } : {}),
    ...(body.filesShown === '1' ? { files: formList(body.file) } : {}),
  }
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])

export type UploadResult = EditResult | { ok: true; kept: true; filename: string }

/**
 * A file from a person's computer, kept on the case and added to the reply as a new version
 * (based on the version the form showed, like any edit). With no draft yet, the file is kept and
 * can be chosen once there is one.
 */
export async function attachUploadedFile(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: { id: string },
  file: Upload,
  baseVersion: string,
): Promise<UploadResult> {
  const [kase] = await tx<{ id: string }[]>`select id from cases where id = ${caseId} for no key update`
  if (!kase) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const saved = await saveUpload(tx, orgId, caseId, user.id, file)
  const [latest] = await listDraftVersions(tx, caseId, 1)
  if (!latest) return { ok: true, kept: true, filename: saved.filename }
  const form = { to: latest.toEmails.join(', '), cc: latest.ccEmails.join(', '), subject: latest.subject, body: latest.body, baseVersion }
  return saveEditedDraft(tx, orgId, caseId, user, form, { files: [...latest.attachments.map(refKey), saved.key] })
}
