// Beside each message of the thread: who else it was copied to, and its files (name, type,
// size, a download link; a thumbnail for an image; a PDF letter's text, folded). Every name and
// text here is the sender's and is only ever escaped text.
import { useRequestContext } from 'hono/jsx-renderer'
import { caseFilesOf } from '../../src/attachments/case-files.ts'
import { formatBytes } from '../../src/attachments/limits.ts'
import type { AttachmentSummary } from '../../src/attachments/queries.ts'
import { isPreviewType } from '../../src/attachments/serve.ts'
import type { AppEnv } from '../../src/http/app-env.ts'

type Props = { caseId: string; messageId: string }

/** "Cc: …" of an inbound message, and for a forward the original's To and Cc. */
export async function MessageRecipients({ caseId, messageId }: Props) {
  const files = (await caseFilesOf(useRequestContext<AppEnv>(), caseId)).get(messageId)
  if (!files || (!files.cc.length && !files.originalTo.length && !files.originalCc.length)) return null
  return (
    <p class="muted recipients">
      {files.cc.length ? <span data-cc>Cc: {files.cc.join(', ')}</span> : null}
      {files.cc.length && (files.originalTo.length || files.originalCc.length) ? ' · ' : null}
      {files.originalTo.length || files.originalCc.length ? (
        <span data-original-recipients>
          The forwarded original was to {files.originalTo.join(', ') || '(not shown)'}
          {files.originalCc.length ? `, cc ${files.originalCc.join(', ')}` : ''}
        </span>
      ) : null}
    </p>
  )
}

/** The message's files. */
export async function MessageAttachments({ caseId, messageId }: Props) {
  const files = (await caseFilesOf(useRequestContext<AppEnv>(), caseId)).get(messageId)
  if (!files?.attachments.length) return null
  return (
    <section class="attachments" aria-label="Attachments">
      <h3>{files.attachments.length === 1 ? '1 attachment' : `${files.attachments.length} attachments`}</h3>
      <ul>
        {files.attachments.map((a) => (
          <Attachment caseId={caseId} file={a} />
        ))}
      </ul>
    </section>
  )
}

function Attachment({ caseId, file: a }: { caseId: string; file: AttachmentSummary }) {
  const href = `/cases/${caseId}/attachments/${a.id}`
  return (
    <li data-attachment={a.id}>
      {a.kept ? (
        <a href={href} download={a.filename} title={`SHA-256 ${a.sha256}`}>
          {a.filename}
        </a>
      ) : (
        <span title={`SHA-256 ${a.sha256}`}>{a.filename}</span>
      )}
      <span class="muted">
        {' '}
        · {a.contentType} · {formatBytes(a.size)}
        {a.depth > 0 ? ' · in the forwarded message' : ''}
        {a.contentId && a.disposition === 'inline' ? ' · shown in the message' : ''}
      </span>
      {a.kept ? null : <p class="muted">Not kept: {a.notKept}. The original message, with this file, is stored whole.</p>}
      {a.kept && isPreviewType(a.contentType) ? (
        <p>
          <a href={`${href}?inline=1`} target="_blank" rel="noopener noreferrer">
            <img src={`${href}?inline=1`} alt={`Preview of ${a.filename}`} width="160" loading="lazy" />
          </a>
        </p>
      ) : null}
      {a.extractedText ? (
        <details>
          <summary>Read the text of {a.filename}</summary>
          <div class="mail-scroll" tabindex={0}>
            <pre class="mail-body" data-letter-text>
              {a.extractedText}
            </pre>
          </div>
        </details>
      ) : null}
    </li>
  )
}
