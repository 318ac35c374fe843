import { refKey } from '../../src/attachments/reply-files.ts'
import type { CaseDrafts } from '../../src/drafts/case-drafts.ts'
import type { DraftVersion } from '../../src/drafts/queries.ts'
import { diffDrafts, type DiffPart } from '../../src/drafts/diff.ts'
import type { GuardrailFlag } from '../../src/drafts/guardrails.ts'
import { recoveryLabels } from '../../src/drafts/schema.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'
import { CopiesAndFiles, FileChoices, UploadForm } from './reply-files.tsx'

export type DraftSectionProps = {
  panel: CaseDrafts
  error?: string | null
  notice?: string | null
  /** A refused edit: the person's text and the problems, so nothing typed is lost. */
  edit?: { values: Record<string, string>; errors: Record<string, string> }
}

const fallbackText: Record<string, string> = {
  no_api_key: 'no OpenAI key is configured',
  ai_disabled: 'AI drafting is turned off for this organization',
  timeout: 'the model did not answer in time',
  refusal: 'the model declined to write it',
  api_error: 'the OpenAI API returned an error',
  invalid_output: "the model's answer was unusable",
  malformed_json: "the model's answer was not valid JSON",
}

const purposeText = {
  reply: 'first reply',
  update: 'progress update',
  resolution: 'resolution notice',
  incident_summary: 'incident summary',
} as const

export function authorLabel(d: Pick<DraftVersion, 'authorKind' | 'author' | 'authorName'>): string {
  if (d.authorKind === 'ai') return `AI (${d.author.replace(/^ai:/, '')})`
  if (d.authorKind === 'template') return 'Template'
  return d.authorName ?? 'a teammate'
}

/** Forms post normally and, with htmx, swap only this section (hx-nonce: htmx's CSP gate). */
function hx(caseId: string, path: string) {
  return {
    method: 'post' as const,
    action: `/cases/${caseId}/${path}`,
    'hx-post': `/cases/${caseId}/${path}`,
    'hx-target': '#draft',
    'hx-swap': 'outerHTML',
    'hx-nonce': useNonce(),
  }
}

export function DraftSection({ panel, error, notice, edit }: DraftSectionProps) {
  const { current, previous, caseId } = panel
  return (
    <section class="panel" id="draft">
      <h2>Reply draft</h2>
      <Flash error={error ?? edit?.errors.form} notice={notice} />
      {panel.pending ? (
        <p
          class="muted"
          id="draft-pending"
          hx-get={`/cases/${caseId}/drafts`}
          hx-trigger="every 3s"
          hx-target="#draft"
          hx-swap="outerHTML"
          hx-nonce={useNonce()}
        >
          A draft is being written; it appears here within a minute.
        </p>
      ) : null}
      {current ? (
        <CurrentDraft draft={current} previous={previous} sender={panel.sender} />
      ) : !panel.pending ? (
        <p class="muted">No draft yet. Press “Redraft” to write one.</p>
      ) : null}
      {current ? <EditForm panel={panel} draft={current} edit={edit} /> : null}
      <UploadForm version={current?.version ?? 0} form={hx(caseId, 'drafts/files')} />
      <form {...hx(caseId, 'drafts/redraft')} class="stack redraft">
        <label class="field">
          <span>Redraft{current ? ' (a new version; this one is kept)' : ''}</span>
          <input
            type="text"
            name="instruction"
            maxlength={1000}
            placeholder="Optional instruction, e.g. shorter, mention the replacement shipped today"
          />
        </label>
        <button type="submit">Redraft</button>
      </form>
      {panel.versions.length > 1 ? (
        <p class="muted versions">Versions: {panel.versions.map((v) => `v${v.version} ${authorLabel(v)}`).join(' · ')}</p>
      ) : null}
      <p class="muted">Drafts are never sent from here: a reply goes out only after a senior manager approves it.</p>
    </section>
  )
}

function CurrentDraft({ draft, previous, sender }: { draft: DraftVersion; previous: DraftVersion | null; sender: CaseDrafts['sender'] }) {
  const blocking = draft.guardrailFlags.filter((f) => f.severity === 'block')
  const warning = draft.guardrailFlags.filter((f) => f.severity === 'warn')
  return (
    <div class="draft-current" data-version={draft.version}>
      <p class="draft-meta">
        <strong>Version {draft.version}</strong> · {authorLabel(draft)} · {purposeText[draft.purpose]} · {formatTime(draft.createdAt)}
      </p>
      {draft.fallbackReason ? (
        <p class="muted">Template used because {fallbackText[draft.fallbackReason] ?? draft.fallbackReason}.</p>
      ) : null}
      {draft.instruction ? <p class="muted">Redrafted on request: “{draft.instruction}”</p> : null}
      {blocking.length ? <FlagList tone="block" title="Approval is blocked until this is fixed:" flags={blocking} /> : null}
      {warning.length ? <FlagList tone="warn" title="The approver must acknowledge:" flags={warning} /> : null}
      <dl class="facts">
        <dt>From</dt>
        <dd data-sender>{sender.from}</dd>
        <dt>Reply-To</dt>
        <dd>{sender.replyTo}</dd>
        <dt>To</dt>
        <dd>{draft.toEmails.length ? draft.toEmails.join(', ') : <span class="warn-text">nobody yet</span>}</dd>
        <dt>Subject</dt>
        <dd>{draft.subject}</dd>
      </dl>
      <CopiesAndFiles draft={draft} />
      <pre class="mail-body draft-body" tabindex={0}>
        {draft.body}
      </pre>
      {draft.recoveryAction || draft.recoveryRationale ? (
        <p>
          <strong>Recommended recovery:</strong>{' '}
          {draft.recoveryAction ? recoveryLabels[draft.recoveryAction] : 'none (decide with counsel)'}
          {draft.recoveryRationale ? <span class="muted"> — {draft.recoveryRationale}</span> : null}
        </p>
      ) : null}
      {draft.missingFacts.length ? (
        <>
          <h3>Facts the writer did not have</h3>
          <ul class="plain">
            {draft.missingFacts.map((f) => (
              <li>{f}</li>
            ))}
          </ul>
        </>
      ) : null}
      {draft.toneNotes ? <p class="muted">Tone: {draft.toneNotes}</p> : null}
      {previous ? <Changes draft={draft} previous={previous} /> : null}
    </div>
  )
}

function FlagList({ tone, title, flags }: { tone: 'block' | 'warn'; title: string; flags: GuardrailFlag[] }) {
  return (
    <div
      class={tone === 'block' ? 'flash error flags' : 'flags flags-warn'}
      role={tone === 'block' ? 'alert' : undefined}
      data-flags={tone}
    >
      <strong>{title}</strong>
      <ul class="plain">
        {flags.map((f) => (
          <li data-flag={f.code}>
            {f.message}
            {f.evidence ? <span class="evidence"> “{f.evidence}”</span> : null}
            {f.source === 'model' ? <span class="muted"> (noticed by the model)</span> : null}
          </li>
        ))}
      </ul>
    </div>
  )
}

function Changes({ draft, previous }: { draft: DraftVersion; previous: DraftVersion }) {
  const diff = diffDrafts(
    { to: previous.toEmails, subject: previous.subject, body: previous.body },
    { to: draft.toEmails, subject: draft.subject, body: draft.body },
  )
  return (
    <details class="diff" open>
      <summary>
        Changes from version {previous.version} ({authorLabel(previous)})
      </summary>
      {diff.changed ? (
        <>
          <p>
            <span class="muted">To:</span> <DiffText parts={diff.to} />
          </p>
          <p>
            <span class="muted">Subject:</span> <DiffText parts={diff.subject} />
          </p>
          <pre class="mail-body">
            <DiffText parts={diff.body} />
          </pre>
        </>
      ) : (
        <p class="muted">Same text as version {previous.version}.</p>
      )}
    </details>
  )
}

/** Escaped by JSX like any text: the customer's words in a draft never become markup. */
function DiffText({ parts }: { parts: DiffPart[] }) {
  return <>{parts.map((p) => (p.kind === 'added' ? <ins>{p.text}</ins> : p.kind === 'removed' ? <del>{p.text}</del> : p.text))}</>
}

function EditForm({ panel, draft, edit }: { panel: CaseDrafts; draft: DraftVersion; edit?: DraftSectionProps['edit'] }) {
  const { caseId } = panel
  const v = edit?.values
  const errors = edit?.errors ?? {}
  const suggested = panel.suggestedCopies
  const typedCc = v?.cc ?? draft.ccEmails.filter((a) => !suggested.includes(a)).join(', ')
  const chosen = new Set(draft.attachments.map(refKey))
  return (
    <details class="draft-edit" open={edit ? true : undefined}>
      <summary>Edit this draft (saves version {draft.version + 1}, authored by you)</summary>
      <form {...hx(caseId, 'drafts')} class="stack">
        <input type="hidden" name="baseVersion" value={String(draft.version)} />
        <label class="field">
          <span>To</span>
          <input type="text" name="to" value={v?.to ?? draft.toEmails.join(', ')} />
          {errors.to ? <p class="field-error">{errors.to}</p> : null}
        </label>
        <input type="hidden" name="ccShown" value="1" />
        {suggested.length ? (
          <fieldset class="field copies">
            <legend>Copy (Cc) the people the customer copied</legend>
            {suggested.map((a) => (
              <label class="check">
                <input type="checkbox" name="ccPick" value={a} checked={draft.ccEmails.includes(a) ? true : undefined} /> {a}
              </label>
            ))}
          </fieldset>
        ) : null}
        <label class="field">
          <span>{suggested.length ? 'Other Cc' : 'Cc'}</span>
          <input type="text" name="cc" value={typedCc} placeholder="Addresses to copy, separated by commas" />
          {errors.cc ? <p class="field-error">{errors.cc}</p> : null}
        </label>
        <label class="field">
          <span>Subject</span>
          <input type="text" name="subject" maxlength={300} value={v?.subject ?? draft.subject} />
          {errors.subject ? <p class="field-error">{errors.subject}</p> : null}
        </label>
        <label class="field">
          <span>Body</span>
          <textarea name="body" rows={14}>
            {v?.body ?? draft.body}
          </textarea>
          {errors.body ? <p class="field-error">{errors.body}</p> : null}
        </label>
        <FileChoices files={panel.files} chosen={chosen} error={errors.files} />
        <button type="submit">Save as a new version</button>
      </form>
    </details>
  )
}

/** The reply section on a page of its own: what a plain form post without script gets back. */
export function DraftPage(props: DraftSectionProps) {
  return (
    <Layout title="Reply draft">
      <p class="crumbs">
        <a href={`/cases/${props.panel.caseId}`}>← Back to the case</a>
      </p>
      <DraftSection {...props} />
    </Layout>
  )
}
