// Files a reply can carry: a file the thread holds (kept by intake) or one a person of the team
// uploaded on the case. A draft version names them by reference ("message:<id>", "upload:<id>");
// the database copies their name, type, size and SHA-256 into the version (draft_attachments),
// and the approval covers exactly those (sql/00033).
import { sha256Hex } from '../auth/crypto.ts'
import type { Q, Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { defaultFileLimits, formatBytes } from './limits.ts'
import { addAttachmentUsage, type StoredFile } from './queries.ts'

const MB = 1024 * 1024

/** What one reply may carry. Resend takes 40 MB a message once encoded; 25 MB of files is 33 MB in base64. */
export const replyFileLimits = { maxFiles: 10, maxFileBytes: 10 * MB, maxTotalBytes: 25 * MB }

/** Extensions Resend refuses to send (resend.com/docs/knowledge-base/what-attachment-types-are-not-supported). */
const unsendable = new Set(
  (
    'adp app asp bas bat cer chm cmd com cpl crt csh der exe fxp gadget hlp hta inf ins isp its js jse ksh lib lnk mad maf mag mam maq ' +
    'mar mas mat mau mav maw mda mdb mde mdt mdw mdz msc msh msh1 msh2 mshxml msh1xml msh2xml msi msp mst ops pcd pif plg prf prg reg ' +
    'scf scr sct shb shs sys ps1 ps1xml ps2 ps2xml psc1 psc2 tmp url vb vbe vbs vps vsmacros vss vst vsw vxd ws wsc wsf wsh xnk'
  ).split(' '),
)

export type FileRef = { kind: 'message' | 'upload'; id: string }
export const refKey = (r: FileRef) => `${r.kind}:${r.id}`

/** A file a reply on this case could carry, as the draft form lists it. */
export type CaseFile = FileRef & { key: string; filename: string; contentType: string; size: number; sha256: string; from: string }

/** The version's files, in order, as the approver sees them. */
export type DraftFile = FileRef & { filename: string; contentType: string; size: number; sha256: string }

/** Every kept file of the thread, then every upload, oldest first. */
export async function listCaseFiles(db: Q, caseId: string): Promise<CaseFile[]> {
  const rows = await db<Omit<CaseFile, 'key'>[]>`
    select 'message' as kind, a.id, a.filename, a.content_type as "contentType", a.size::float8 as size, a.sha256,
           coalesce(m.from_name, m.from_email, 'the thread') as "from"
    from message_attachments a join messages m on m.id = a.message_id
    where m.case_id = ${caseId} and a.content is not null and a.depth = 0
    union all
    select 'upload', u.id, u.filename, u.content_type, u.size::float8, u.sha256, coalesce(nullif(p.name, ''), p.email, 'the team')
    from case_uploads u left join app_users p on p.id = u.uploaded_by
    where u.case_id = ${caseId}
    order by 1, 2`
  return rows.map((r) => ({ ...r, key: refKey(r) }))
}

/** "message:<uuid>" and "upload:<uuid>" values of a form, in order, each once; anything else is dropped. */
export function parseFileRefs(values: string[]): FileRef[] {
  const seen = new Set<string>()
  const refs: FileRef[] = []
  for (const v of values) {
    const m = /^(message|upload):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(v.trim().toLowerCase())
    if (!m || seen.has(m[0])) continue
    seen.add(m[0])
    refs.push({ kind: m[1] as FileRef['kind'], id: m[2]! })
  }
  return refs
}

/** Why these files cannot go with one reply, or null. Refs that are not the case's own are refused. */
export function replyFilesProblem(refs: FileRef[], available: CaseFile[]): string | null {
  const byKey = new Map(available.map((f) => [f.key, f]))
  const files = refs.map((r) => byKey.get(refKey(r)))
  if (files.some((f) => !f)) return 'One of the chosen files is not a file of this case (it may have been removed): choose again.'
  if (refs.length > replyFileLimits.maxFiles) return `A reply can carry at most ${replyFileLimits.maxFiles} files.`
  const total = files.reduce((sum, f) => sum + f!.size, 0)
  if (total > replyFileLimits.maxTotalBytes) {
    return `The chosen files come to ${formatBytes(total)}; a reply can carry at most ${formatBytes(replyFileLimits.maxTotalBytes)}.`
  }
  for (const f of files) {
    const problem = unsendableProblem(f!.filename, f!.size)
    if (problem) return problem
  }
  return null
}

function unsendableProblem(filename: string, size: number): string | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase()
  if (ext && unsendable.has(ext)) return `“${filename}” cannot be sent: mail providers refuse .${ext} files. Send it zipped or as a link.`
  if (size > replyFileLimits.maxFileBytes) {
    return `“${filename}” is ${formatBytes(size)}; one file of a reply can be at most ${formatBytes(replyFileLimits.maxFileBytes)}.`
  }
  return null
}

export type Upload = { filename: string; contentType: string; content: Uint8Array }

/**
 * Keeps an uploaded file on the case, counted in the organization's attachment usage under its
 * lock (the same limit inbound files use). Refuses empty, unsendable and oversized files with a
 * sentence that says what to do.
 */
export async function saveUpload(tx: Tx, orgId: string, caseId: string, userId: string, file: Upload): Promise<CaseFile> {
  const filename = cleanFilename(file.filename)
  if (!file.content.byteLength) throw new AppError('BAD_INPUT', `“${filename}” is empty: choose the file again.`)
  const problem = unsendableProblem(filename, file.content.byteLength)
  if (problem) throw new AppError('BAD_INPUT', problem)
  const [kept] = await addAttachmentUsage(tx, orgId, [file.content.byteLength], defaultFileLimits.maxOrgBytes)
  if (!kept) {
    throw new AppError(
      'BAD_INPUT',
      `Your organization keeps at most ${formatBytes(defaultFileLimits.maxOrgBytes)} of files, and that is used up: the file was not kept.`,
    )
  }
  const sha256 = await sha256Hex(file.content)
  const contentType = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(file.contentType)
    ? file.contentType.toLowerCase()
    : 'application/octet-stream'
  const [row] = await tx<{ id: string; from: string }[]>`
    insert into case_uploads (org_id, case_id, filename, content_type, size, sha256, content, uploaded_by)
    values (${orgId}, ${caseId}, ${filename}, ${contentType}, ${file.content.byteLength}, ${sha256},
            ${Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength)}, ${userId})
    returning id, (select coalesce(nullif(name, ''), email) from app_users where id = ${userId}) as "from"`
  const ref = { kind: 'upload' as const, id: row!.id }
  return { ...ref, key: refKey(ref), filename, contentType, size: file.content.byteLength, sha256, from: row!.from }
}

/** A file name as a mail header can carry it: one line, no path, at most 255 characters. */
export function cleanFilename(name: string): string {
  const base = name
    .replace(/[\r\n\t\0]+/g, ' ')
    .split(/[\\/]/)
    .pop()!
    .trim()
  return (base || 'file').slice(0, 255)
}

/** The bytes of a draft version's files, in order, for the provider. */
export async function loadDraftFileContents(db: Q, draftId: string): Promise<(DraftFile & { content: Uint8Array })[]> {
  return db<(DraftFile & { content: Uint8Array })[]>`
    select case when f.upload_id is null then 'message' else 'upload' end as kind, coalesce(f.upload_id, f.message_attachment_id) as id,
           f.filename, f.content_type as "contentType", f.size::float8 as size, f.sha256, coalesce(u.content, a.content) as content
    from draft_attachments f
      left join case_uploads u on u.id = f.upload_id
      left join message_attachments a on a.id = f.message_attachment_id
    where f.draft_id = ${draftId} order by f.position`
}

/** One upload of the case; undefined for another case's or another org's. */
export async function findUploadContent(db: Q, caseId: string, uploadId: string): Promise<StoredFile | undefined> {
  const [row]: [StoredFile?] = await db`
    select filename, content_type as "contentType", size::float8 as size, content from case_uploads
    where id = ${uploadId} and case_id = ${caseId}`
  return row
}

/** Where a file of the case is downloaded from. */
export const caseFileUrl = (caseId: string, f: FileRef) =>
  f.kind === 'upload' ? `/cases/${caseId}/uploads/${f.id}` : `/cases/${caseId}/attachments/${f.id}`
