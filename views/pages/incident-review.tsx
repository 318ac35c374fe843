import { caseLabel, statusLabel } from '../../src/cases/terms.ts'
import type { ReviewFields } from '../../src/reviews/queries.ts'
import type { ReviewReport } from '../../src/reviews/review.ts'
import { whyPrompts } from '../../src/reviews/markdown.ts'
import { processPrompts } from '../../src/reviews/process.ts'
import { CustomerSummary, ReviewCompletion } from '../case/review-finish.tsx'
import { PreventionActions, PrintedActions } from '../case/review-prevention.tsx'
import { Flash, formatTime, SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type IncidentReviewPageProps = {
  report: ReviewReport
  /** The text to show instead of the stored one (a refused save keeps what was typed). */
  values?: ReviewFields
  error?: string | null
  notice?: string | null
}

/** The editable review: plain forms (no script needed), each save audited. */
export function IncidentReviewPage({ report, values, error, notice }: IncidentReviewPageProps) {
  const { kase } = report
  const f = values ?? report.fields
  const base = report.saved ? report.saved.updatedAt.toISOString() : ''
  return (
    <Layout title={`Review · ${caseLabel(kase.number)}`}>
      <p class="crumbs">
        <a href={`/cases/${kase.id}`}>← {caseLabel(kase.number)}</a>
      </p>
      <div class="toolbar">
        <h1>
          {report.kind === 'short' ? 'Short review' : 'Post-incident review'}: {caseLabel(kase.number)}
        </h1>
        <a href={`/cases/${kase.id}/review.md`} download>
          Markdown
        </a>
        <a href={`/cases/${kase.id}/review/print`}>Printable page</a>
      </div>
      <p class="chips">
        <SeverityBadge severity={kase.severity} />
        <span class="badge">{statusLabel(kase.status)}</span> <span class="muted">{kase.subject}</span>
      </p>
      <Flash error={error} notice={notice} />
      {report.saved ? (
        <p class="muted">
          Last saved {formatTime(report.saved.updatedAt, report.timezone)}
          {report.saved.updatedByName ? ` by ${report.saved.updatedByName}` : ''}.
        </p>
      ) : (
        <p class="muted">Generated from the case; nothing is stored until you save.</p>
      )}
      <div class="review-grid">
        <ReviewForm report={report} f={f} base={base} />
        <aside>
          <ReviewCompletion report={report} />
          <CustomerSummary report={report} />
          <PreventionActions report={report} />
          <ReviewTimeline report={report} />
        </aside>
      </div>
    </Layout>
  )
}

const area = (name: string, title: string, value: string, rows = 5, hint?: string) => (
  <label class="field">
    <span>{title}</span>
    <textarea name={name} rows={rows} maxlength={20000}>
      {value}
    </textarea>
    {hint ? <small class="muted">{hint}</small> : null}
  </label>
)

/** Fields a form does not show are sent as they are, so saving one form never blanks the other's. */
const kept = (names: [string, string][]) => names.map(([name, value]) => <input type="hidden" name={name} value={value} />)

/** The parts both forms share: root-cause tags and the customer-facing summary. */
const sharedFields = (f: ReviewFields) => (
  <>
    <label class="field">
      <span>Root-cause tags</span>
      <input type="text" name="tags" maxlength={500} value={f.tags.join(', ')} />
      <small class="muted">Comma-separated, like "billing, certificate expiry": the pattern view groups cases by them.</small>
    </label>
    {area(
      'customerSummary',
      'Customer-facing incident summary',
      f.customerSummary,
      6,
      'What happened, why, what we fixed and what we changed, in words for the customer. It reaches them only as a reply version an approver approves.',
    )}
  </>
)

/** SEV-3/SEV-4: what happened, why, how it is prevented. */
function ShortReviewForm({ report, f, base }: { report: ReviewReport; f: ReviewFields; base: string }) {
  return (
    <form method="post" action={`/cases/${report.kase.id}/review`} class="panel stack" id="review-form">
      <input type="hidden" name="base" value={base} />
      {area('summary', 'What happened', f.summary, 5)}
      {area('rootCause', 'Why it happened', f.rootCause, 4)}
      {area('prevention', 'How we prevent it', f.prevention, 4, 'Add the actions with an owner and a due date beside.')}
      {sharedFields(f)}
      {kept([
        ['customerImpact', f.customerImpact],
        ['resolution', f.resolution],
        ['recoveryTaken', f.recoveryTaken],
        ['lessons', f.lessons],
        ...f.whys.map((w, i): [string, string] => [`why${i + 1}`, w]),
        ...f.process.map((p, i): [string, string] => [`process${i + 1}`, p]),
      ])}
      <button type="submit" class="primary">
        Save the review
      </button>
    </form>
  )
}

/** The review's text: summary, impact, five whys, root cause, process review, resolution, recovery, lessons. */
function ReviewForm({ report, f, base }: { report: ReviewReport; f: ReviewFields; base: string }) {
  const { kase } = report
  if (report.kind === 'short') return <ShortReviewForm report={report} f={f} base={base} />
  return (
    <form method="post" action={`/cases/${kase.id}/review`} class="panel stack" id="review-form">
      <input type="hidden" name="base" value={base} />
      {area('summary', 'Summary', f.summary, 5)}
      {area('customerImpact', 'Customer impact', f.customerImpact, 5)}
      <fieldset class="whys">
        <legend>Root cause: five whys</legend>
        {whyPrompts.map((prompt, i) => (
          <label class="field">
            <span>
              {i + 1}. {prompt}
            </span>
            <input type="text" name={`why${i + 1}`} maxlength={2000} value={f.whys[i] ?? ''} />
          </label>
        ))}
      </fieldset>
      {area('rootCause', 'Root cause', f.rootCause, 3, 'What, once fixed, keeps this from happening again.')}
      <fieldset class="whys">
        <legend>Process review</legend>
        {processPrompts.map((prompt, i) => (
          <label class="field">
            <span>{prompt}</span>
            <input type="text" name={`process${i + 1}`} maxlength={2000} value={f.process[i] ?? ''} />
          </label>
        ))}
      </fieldset>
      {area('resolution', 'Resolution', f.resolution, 4, 'What fixed it for the customer.')}
      {area(
        'recoveryTaken',
        'Recovery actions taken',
        f.recoveryTaken,
        3,
        report.recovery ? `Proportional to the impact: ${report.recovery.label}. ${report.recovery.rationale}` : undefined,
      )}
      {area('lessons', 'Lessons learned', f.lessons, 4)}
      {sharedFields(f)}
      <input type="hidden" name="prevention" value={f.prevention} />
      <button type="submit" class="primary">
        Save the review
      </button>
    </form>
  )
}

function ReviewTimeline({ report }: { report: ReviewReport }) {
  return (
    <section class="panel">
      <h2>Timeline</h2>
      <p class="muted">From the audit trail, as it happened.</p>
      <ol class="timeline compact">
        {report.timeline.map((e) => (
          <li>
            <time datetime={e.at.toISOString()}>{formatTime(e.at, report.timezone)}</time>
            <span>{e.text}</span>
          </li>
        ))}
      </ol>
    </section>
  )
}

/** The printable report: the same content as the Markdown, laid out for paper (print CSS). */
export function IncidentReviewPrintPage({ report }: { report: ReviewReport }) {
  const { kase, fields } = report
  const when = (d: Date) => formatTime(d, report.timezone)
  const para = (text: string) =>
    text.trim() ? text.split(/\n{2,}/).map((p) => <p class="prewrap">{p}</p>) : <p class="muted">Not written yet.</p>
  return (
    <Layout title={`Review · ${caseLabel(kase.number)}`}>
      <article class="review-print">
        <p class="crumbs no-print">
          <a href={`/cases/${kase.id}/review`}>← Edit the review</a> · Use your browser's Print to print or save as PDF.
        </p>
        <h1>
          Post-incident review: {caseLabel(kase.number)} — {kase.subject}
        </h1>
        <p class="muted">
          {kase.severity} · {report.orgName} · opened {when(kase.openedAt)}
          {kase.resolvedAt ? ` · resolved ${when(kase.resolvedAt)}` : ''}
        </p>
        <h2>Summary</h2>
        {para(fields.summary)}
        <h2>Timeline</h2>
        <ol class="timeline compact">
          {report.timeline.map((e) => (
            <li>
              <time datetime={e.at.toISOString()}>{when(e.at)}</time>
              <span>{e.text}</span>
            </li>
          ))}
        </ol>
        <h2>Customer impact</h2>
        {para(fields.customerImpact)}
        <h2>Root cause</h2>
        <ol>
          {whyPrompts.map((q, i) => (
            <li>
              <strong>{q}</strong> {fields.whys[i] || <span class="muted">…</span>}
            </li>
          ))}
        </ol>
        {para(fields.rootCause)}
        <h2>Resolution</h2>
        {para(fields.resolution)}
        <h2>Recovery actions taken</h2>
        {para(fields.recoveryTaken)}
        {report.recovery ? (
          <p class="muted">
            Proportional recovery suggested by the desk: {report.recovery.label}. {report.recovery.rationale}
          </p>
        ) : null}
        <h2>Prevention actions</h2>
        <PrintedActions actions={report.actions} />
        <h2>Lessons learned</h2>
        {para(fields.lessons)}
      </article>
    </Layout>
  )
}
