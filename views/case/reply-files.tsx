// The files of a reply on the draft section: the list a version carries, the case's files to
// choose from, and the upload of a file from the person's computer.
import { formatBytes } from '../../src/attachments/limits.ts'
import { caseFileUrl, replyFileLimits, type CaseFile, type DraftFile } from '../../src/attachments/reply-files.ts'
import type { DraftVersion } from '../../src/drafts/queries.ts'

/** The files a reply carries, each a download link, with its type and size. */
export function FileList({ caseId, files }: { caseId: string; files: DraftFile[] }) {
  return (
    <ul class="plain files" data-reply-files>
      {files.map((f) => (
        <li>
          <a href={caseFileUrl(caseId, f)} download>
            {f.filename}
          </a>{' '}
          <span class="muted">
            · {f.contentType} · {formatBytes(f.size)}
          </span>
        </li>
      ))}
    </ul>
  )
}

/** The case's files as checkboxes: those ticked go with the reply. */
export function FileChoices({ files, chosen, error }: { files: CaseFile[]; chosen: Set<string>; error?: string }) {
  return (
    <>
      {files.length ? (
        <fieldset class="field reply-files">
          <legend>Files to send with the reply</legend>
          <input type="hidden" name="filesShown" value="1" />
          {files.map((f) => (
            <label class="check">
              <input type="checkbox" name="file" value={f.key} checked={chosen.has(f.key) ? true : undefined} /> {f.filename}{' '}
              <span class="muted">
                · {formatBytes(f.size)} · from {f.from}
              </span>
            </label>
          ))}
          {error ? <p class="field-error">{error}</p> : null}
        </fieldset>
      ) : null}
    </>
  )
}

/** A file from the person's computer: kept on the case and added to the reply as a new version. */
/** `form`: the section's htmx form attributes for POST /cases/:id/drafts/files. */
export function UploadForm({ version, form }: { version: number; form: Record<string, string | undefined> }) {
  return (
    <form {...form} enctype="multipart/form-data" hx-encoding="multipart/form-data" class="stack upload">
      <input type="hidden" name="baseVersion" value={String(version)} />
      <label class="field">
        <span>
          Attach a file to the reply{' '}
          <span class="muted">
            (up to {formatBytes(replyFileLimits.maxFileBytes)} each, {replyFileLimits.maxFiles} files,{' '}
            {formatBytes(replyFileLimits.maxTotalBytes)} in all)
          </span>
        </span>
        <input type="file" name="upload" required />
      </label>
      <button type="submit">Attach</button>
    </form>
  )
}

/** What the approver approves besides the text: whom it copies and the files it carries (both in the hash). */
export function CopiesAndFiles({ draft }: { draft: Pick<DraftVersion, 'caseId' | 'ccEmails' | 'attachments'> }) {
  if (!draft.ccEmails.length && !draft.attachments.length) return null
  return (
    <dl class="facts reply-extras">
      {draft.ccEmails.length ? (
        <>
          <dt>Cc</dt>
          <dd data-cc>{draft.ccEmails.join(', ')}</dd>
        </>
      ) : null}
      {draft.attachments.length ? (
        <>
          <dt>Files</dt>
          <dd>
            <FileList caseId={draft.caseId} files={draft.attachments} />
          </dd>
        </>
      ) : null}
    </dl>
  )
}
