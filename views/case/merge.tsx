import { caseLabel, statusLabel } from '../../src/cases/terms.ts'
import type { MergedCase, MergeSide } from '../../src/cases/merge.ts'
import type { CaseView } from './view.ts'
import { Field, Flash, formatTime, SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

// Merging two cases that are one complaint (src/cases/merge.ts). The control on the case page
// asks for the other case and a reason; the merge itself happens only after a page that names
// both cases, so nobody joins the wrong two by a typo in a number.

const canMerge = (role: string) => role === 'approver' || role === 'admin'

/**
 * On the case page, for approvers and admins: "Merge into another case…", and the way to the
 * drafts history of cases merged into this one. A plain form: the answer is another page.
 */
export function MergeControl({ kase, user, timeline }: Pick<CaseView, 'kase' | 'user' | 'timeline'>) {
  const mergedHere = timeline.filter((e) => e.action === 'case.merge' && typeof e.details.from === 'string')
  return (
    <>
      {mergedHere.length ? (
        <p class="muted" id="merged-here">
          Merged into this case: {mergedHere.map((e) => String(e.details.from)).join(', ')}.{' '}
          <a href={`/cases/${kase.id}/merged`}>Their drafts history</a>
        </p>
      ) : null}
      {canMerge(user.role) ? (
        <details id="merge">
          <summary>Merge into another case…</summary>
          <MergeForm caseId={kase.id} values={{}} />
        </details>
      ) : null}
    </>
  )
}

function MergeForm({ caseId, values }: { caseId: string; values: Record<string, string> }) {
  return (
    <form method="post" action={`/cases/${caseId}/merge`} class="stack">
      <Field label="The case this one joins" hint="Its number, like ESC-1042. It keeps its number; this one redirects to it.">
        <input name="into" required value={values.into ?? ''} placeholder="ESC-1042" autocomplete="off" />
      </Field>
      <Field label="Why they are one complaint">
        <input name="reason" required value={values.reason ?? ''} maxlength={2000} />
      </Field>
      <button type="submit">Review the merge</button>
    </form>
  )
}

function Side({ c }: { c: MergeSide }) {
  return (
    <div class="panel">
      <h2>
        {caseLabel(c.number)} <SeverityBadge severity={c.severity} />
      </h2>
      <p>
        <strong>{c.subject}</strong>
      </p>
      <p class="muted">
        {[c.customerName, c.customerEmail].filter(Boolean).join(' · ') || 'No customer'} · {statusLabel(c.status)} · opened{' '}
        {formatTime(c.openedAt)} · {c.messages} message{c.messages === 1 ? '' : 's'}
        {c.externalRef ? ` · reference ${c.externalRef}` : ''}
      </p>
    </div>
  )
}

type ConfirmProps = {
  from: MergeSide
  into: MergeSide | null
  values: Record<string, string>
  error?: string | null
}

/**
 * The page between the form and the merge: both cases side by side, what moves, one button.
 * With a refusal (no such case, itself, a merged or finished case) it shows the form again.
 */
export function MergeConfirmPage({ from, into, values, error }: ConfirmProps) {
  const ready = into && !error
  return (
    <Layout title={`Merge ${caseLabel(from.number)}`}>
      <p class="crumbs">
        <a href={`/cases/${from.id}`}>← {caseLabel(from.number)}</a>
      </p>
      <h1>
        {ready ? `Merge ${caseLabel(from.number)} into ${caseLabel(into.number)}?` : `Merge ${caseLabel(from.number)} into another case`}
      </h1>
      <Flash error={error} />
      <Side c={from} />
      {ready ? (
        <>
          <Side c={into} />
          <section class="panel stack narrow" id="merge-confirm">
            <p>
              {caseLabel(from.number)}'s thread, notes, dedupe keys and forwarders move to {caseLabel(into.number)}, and its reference,
              customer and owner where {caseLabel(into.number)} has none. {caseLabel(into.number)}'s clocks run from the earlier arrival.{' '}
              {caseLabel(from.number)} is closed and its page opens {caseLabel(into.number)}; its drafts history is listed there. Pending
              approvals of both cases lapse. Both cases' audit trails record it.
            </p>
            <p>
              Reason: <em>{values.reason}</em>
            </p>
            <form method="post" action={`/cases/${from.id}/merge`} class="stack">
              <input type="hidden" name="into" value={values.into ?? ''} />
              <input type="hidden" name="reason" value={values.reason ?? ''} />
              <input type="hidden" name="confirm" value="yes" />
              <button type="submit">
                Merge {caseLabel(from.number)} into {caseLabel(into.number)}
              </button>
            </form>
            <p>
              <a href={`/cases/${from.id}`}>Cancel</a>
            </p>
          </section>
        </>
      ) : (
        <section class="panel narrow">
          <MergeForm caseId={from.id} values={values} />
        </section>
      )}
    </Layout>
  )
}

/** The drafts history of the cases merged into this one: their versions stay theirs (immutable). */
export function MergedHistoryPage({ kase, merged }: { kase: { id: string; number: number }; merged: MergedCase[] }) {
  return (
    <Layout title={`Merged into ${caseLabel(kase.number)}`}>
      <p class="crumbs">
        <a href={`/cases/${kase.id}`}>← {caseLabel(kase.number)}</a>
      </p>
      <h1>Cases merged into {caseLabel(kase.number)}</h1>
      {merged.length ? null : <p class="muted">No case was merged into this one.</p>}
      {merged.map((m) => (
        <section class="panel" id={`merged-${m.number}`}>
          <h2>
            {caseLabel(m.number)}: {m.subject}
          </h2>
          <p class="muted">
            Merged {formatTime(m.mergedAt)}
            {m.closeReason ? ` (${m.closeReason})` : ''}
          </p>
          {m.drafts.length ? (
            <ol>
              {m.drafts.map((d) => (
                <li>
                  <details>
                    <summary>
                      Version {d.version} ({d.purpose}) by {d.authorKind === 'user' ? (d.authorName ?? 'a teammate') : d.authorName},{' '}
                      {formatTime(new Date(d.createdAt))}
                      {d.decision ? ` · ${d.decision}` : ''}
                      {d.sent ? ' · sent' : ''}
                    </summary>
                    <p>
                      <strong>{d.subject}</strong>
                    </p>
                    <pre class="body">{d.body}</pre>
                  </details>
                </li>
              ))}
            </ol>
          ) : (
            <p class="muted">No drafts.</p>
          )}
        </section>
      ))}
    </Layout>
  )
}
