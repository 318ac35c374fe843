import type { DraftFile, FileRef } from '../attachments/reply-files.ts'
import type { DbOrTx, Tx } from '../db.ts'
import type { GuardrailFlag } from './guardrails.ts'
import type { DraftContent, VersionPurpose } from './schema.ts'

export type AuthorKind = 'ai' | 'template' | 'user'

export type DraftVersion = DraftContent & {
  id: string
  caseId: string
  version: number
  authorKind: AuthorKind
  author: string
  authorId: string | null
  authorName: string | null
  purpose: VersionPurpose
  toEmails: string[]
  ccEmails: string[]
  /** The files the reply carries, in order (sql/00033). */
  attachments: DraftFile[]
  guardrailFlags: GuardrailFlag[]
  fallbackReason: string | null
  instruction: string | null
  createdAt: Date
}

export type NewDraft = Omit<DraftVersion, 'id' | 'version' | 'authorName' | 'createdAt' | 'caseId' | 'attachments'> & {
  /** The case's files the version carries, in order: the database copies their names and hashes. */
  files: FileRef[]
}

const columns = (db: DbOrTx) => db`
  d.id, d.case_id as "caseId", d.version, d.author_kind as "authorKind", d.author, d.author_id as "authorId",
  coalesce(nullif(u.name, ''), u.email) as "authorName", d.purpose, d.to_emails as "toEmails", d.cc_emails as "ccEmails", d.subject, d.body,
  d.tone_notes as "toneNotes", d.missing_facts as "missingFacts", d.recovery_action as "recoveryAction",
  d.recovery_rationale as "recoveryRationale", d.guardrail_flags as "guardrailFlags",
  d.fallback_reason as "fallbackReason", d.instruction, d.created_at as "createdAt",
  coalesce((select jsonb_agg(jsonb_build_object(
              'kind', case when f.upload_id is null then 'message' else 'upload' end, 'id', coalesce(f.upload_id, f.message_attachment_id),
              'filename', f.filename, 'contentType', f.content_type, 'size', f.size, 'sha256', f.sha256) order by f.position)
            from draft_attachments f where f.draft_id = d.id), '[]'::jsonb) as attachments`

/** Newest first. */
export async function listDraftVersions(db: DbOrTx, caseId: string, limit = 50): Promise<DraftVersion[]> {
  return db<DraftVersion[]>`
    select ${columns(db)} from drafts d left join app_users u on u.id = d.author_id
    where d.case_id = ${caseId} order by d.version desc limit ${limit}`
}

export async function getDraftVersion(db: DbOrTx, caseId: string, version: number): Promise<DraftVersion | undefined> {
  const [row]: [DraftVersion?] = await db`
    select ${columns(db)} from drafts d left join app_users u on u.id = d.author_id
    where d.case_id = ${caseId} and d.version = ${version}`
  return row
}

/** Call with the case row locked: the lock orders concurrent saves, so versions never collide. */
export async function insertDraft(tx: Tx, orgId: string, caseId: string, d: NewDraft): Promise<{ id: string; version: number }> {
  const [row] = await tx<{ id: string; version: number }[]>`
    insert into drafts (org_id, case_id, version, author_kind, author, author_id, purpose, to_emails, cc_emails, subject, body,
                        tone_notes, missing_facts, recovery_action, recovery_rationale, guardrail_flags, fallback_reason, instruction)
    values (${orgId}, ${caseId}, (select coalesce(max(version), 0) + 1 from drafts where case_id = ${caseId}),
            ${d.authorKind}, ${d.author}, ${d.authorId}, ${d.purpose}, ${d.toEmails}, ${d.ccEmails}, ${d.subject}, ${d.body},
            ${d.toneNotes}, ${d.missingFacts}, ${d.recoveryAction}, ${d.recoveryRationale},
            ${tx.json(d.guardrailFlags as never)}, ${d.fallbackReason}, ${d.instruction})
    returning id, version`
  if (d.files.length) await insertDraftFiles(tx, orgId, row!.id, d.files)
  return row!
}

/** The version's files, copied from the case's own (the database refuses any other: sql/00033). */
async function insertDraftFiles(tx: Tx, orgId: string, draftId: string, files: FileRef[]): Promise<void> {
  const uploads = files.map((f) => (f.kind === 'upload' ? f.id : null))
  const messages = files.map((f) => (f.kind === 'message' ? f.id : null))
  const inserted = await tx`
    insert into draft_attachments (draft_id, org_id, position, upload_id, message_attachment_id, filename, content_type, size, sha256)
    select ${draftId}, ${orgId}, r.position - 1, u.id, a.id, coalesce(u.filename, a.filename), coalesce(u.content_type, a.content_type),
           coalesce(u.size, a.size), coalesce(u.sha256, a.sha256)
    from unnest(${uploads}::uuid[], ${messages}::uuid[]) with ordinality r(upload_id, message_attachment_id, position)
      left join case_uploads u on u.id = r.upload_id
      left join message_attachments a on a.id = r.message_attachment_id and a.content is not null
    where u.id is not null or a.id is not null`
  if (inserted.count !== files.length) throw new Error('a file of the reply is not one of the case’s kept files')
}

/** A draft job waiting or running for this case (the page polls until it lands). */
export async function hasPendingDraftJob(db: DbOrTx, caseId: string): Promise<boolean> {
  const [row] = await db<{ pending: boolean }[]>`
    select exists(select 1 from jobs where kind = 'draft' and payload->>'caseId' = ${caseId}
                  and done_at is null and failed_at is null) as pending`
  return row!.pending
}
