import type { CaseDetail } from '../../src/cases/detail.ts'
import { mailSources } from '../../src/cases/corrections.ts'
import { channelLabels, languageName, sourceLabel } from '../../src/cases/terms.ts'
import { describeRecipients, replyRoute } from '../../src/drafts/recipient.ts'
import type { DraftVersion } from '../../src/drafts/queries.ts'
import { useNonce } from '../components/layout.tsx'

/** Forms post normally and, with htmx, swap #case in place (hx-nonce: htmx's CSP gate). */
function hx(caseId: string, action: string) {
  return {
    method: 'post' as const,
    action: `/cases/${caseId}/${action}`,
    'hx-post': `/cases/${caseId}/${action}`,
    'hx-target': '#case',
    'hx-swap': 'outerHTML',
    'hx-nonce': useNonce(),
  }
}

/** "BBB Serving Central Ohio, case #22791160": the body and its own reference. */
export function cameThrough(kase: Pick<CaseDetail, 'channelKind' | 'channelName' | 'channelReference'>): string | null {
  if (!kase.channelKind) return null
  const name = kase.channelName ?? channelLabels[kase.channelKind]
  const reference = kase.channelReference?.replace(/^BBB-/, '')
  if (!reference) return name
  return kase.channelKind === 'counsel' ? `${name}, their reference ${reference}` : `${name}, case #${reference}`
}

/** Where the reply goes: the current draft's To read against the case, else where a draft would go. */
export function replyDestination(kase: CaseDetail, draft: Pick<DraftVersion, 'toEmails'> | null): string {
  return draft ? describeRecipients(draft.toEmails, kase) : replyRoute(kase, null).sentence
}

const show = (v: unknown) => (v === null || v === undefined || v === '' ? 'none' : typeof v === 'string' ? v : JSON.stringify(v))

/** "Rules: SEV-2 (BBB complaint) · Model: SEV-1 (mentions a burn)": where the model read it otherwise. */
export function disagreementLines(kase: Pick<CaseDetail, 'intake' | 'severityReasons'>): string[] {
  const model = kase.intake?.model
  if (!model || !model.ok) return []
  return model.disagreements.map((d) => {
    if (d.field === 'severity') {
      const ruleWhy = kase.severityReasons[0]
      const modelWhy = model.fields?.severityReasons?.[0]
      return `Severity — Rules: ${show(d.rules)}${ruleWhy ? ` (${ruleWhy})` : ''} · Model: ${show(d.model)}${modelWhy ? ` (${modelWhy})` : ''}`
    }
    const kept = d.field === 'customer.email' ? ' (the rules decide addresses)' : ''
    return `${d.field} — Rules: ${show(d.rules)} · Model: ${show(d.model)}${kept}`
  })
}

/** How the case reached us, as intake read it, and where the reply goes. */
export function ReachedUs({
  kase,
  draft,
  canConfirmExecutive,
}: {
  kase: CaseDetail
  draft: DraftVersion | null
  canConfirmExecutive: boolean
}) {
  const through = cameThrough(kase)
  const language = kase.language && kase.language !== 'en' ? languageName(kase.language) : null
  const executive = kase.executive
  const disagreements = disagreementLines(kase)
  const destination = replyDestination(kase, draft)
  return (
    <section class="panel" id="reached-us">
      <h2>How it reached us</h2>
      {through ? (
        <p data-channel={kase.channelKind}>
          Came through: <strong>{through}</strong>
        </p>
      ) : null}
      {language ? (
        <p data-language={kase.language}>
          Customer writes in <strong>{language}</strong>
        </p>
      ) : null}
      {executive ? (
        <p data-executive={executive.email}>
          Reached {executive.name ?? executive.email}
          {executive.title ? ` (${executive.title})` : ''}
          <span class="muted"> · {executive.configured ? 'on the executives list' : executive.reason}</span>
        </p>
      ) : null}
      {executive && !executive.configured && canConfirmExecutive ? (
        <form {...hx(kase.id, 'executive')} class="inline">
          <button type="submit">
            Add {executive.name ?? executive.email}
            {executive.title ? ` (${executive.title})` : ''} to the executives list
          </button>
        </form>
      ) : null}
      <p class={replyRoute(kase, null).kind === 'none' && !draft?.toEmails.length ? 'warn-text' : ''} data-reply-goes>
        {destination}
      </p>
      {disagreements.length ? (
        <div class="disagreements" data-disagreements>
          <h3>Where the model read it differently</h3>
          <ul class="plain">
            {disagreements.map((line) => (
              <li>{line}</li>
            ))}
          </ul>
          <p class="muted">The case keeps the rules' values; correct any of them below if the model is right.</p>
        </div>
      ) : null}
    </section>
  )
}

/** One form per field; each correction is audited and kept as a labelled example. */
export function Corrections({ kase }: { kase: CaseDetail }) {
  return (
    <details class="corrections" id="corrections">
      <summary>Correct what intake read</summary>
      <form {...hx(kase.id, 'correct/customer')} class="stack">
        <input
          name="customerName"
          value={kase.customerName ?? ''}
          placeholder="Customer's name"
          aria-label="Customer's name"
          maxlength={200}
        />
        <input
          name="customerEmail"
          type="email"
          value={kase.customerEmail ?? ''}
          placeholder="Customer's address (empty: none)"
          aria-label="Customer's address"
        />
        <button type="submit">Correct the customer</button>
      </form>
      <form {...hx(kase.id, 'correct/source')} class="stack">
        <select name="source" aria-label="Source">
          {mailSources.map((s) => (
            <option value={s} selected={s === kase.source}>
              {sourceLabel(s)}
            </option>
          ))}
        </select>
        <button type="submit">Correct the source</button>
      </form>
      <form {...hx(kase.id, 'correct/reference')} class="stack">
        <input
          name="externalRef"
          value={kase.externalRef ?? ''}
          placeholder="Reference (empty: none)"
          aria-label="Reference"
          maxlength={100}
        />
        <button type="submit">Correct the reference</button>
      </form>
      <p class="muted">Severity is corrected under Severity (with a reason after triage).</p>
    </details>
  )
}
