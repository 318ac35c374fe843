import { caseLabel, sourceLabel, statusLabel } from '../../src/cases/terms.ts'
import type { CaseDetail, ThreadMessage } from '../../src/cases/detail.ts'
import type { CaseView } from '../case/view.ts'
import { CaseActions } from '../case/actions.tsx'
import { DraftSection } from '../case/draft.tsx'
import { ApprovalSection } from '../case/approval.tsx'
import { ReviewPanel } from '../case/review-panel.tsx'
import { WarRoomSection } from '../case/war-room.tsx'
import { Flash, formatTime, Health, Money, SeverityBadge } from '../components/parts.tsx'
import { Layout, type HeaderUser } from '../components/layout.tsx'
import { Timeline } from '../case/timeline.tsx'
import { Clocks } from '../case/clocks.tsx'
import { CaseActionBar, caseNextAction, feedbackPlace, NextActionBar, type FeedbackPlace } from '../case/next-action-bar.tsx'
import type { Child } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import { Corrections, ReachedUs } from '../case/intake-panel.tsx'
import { MergeControl } from '../case/merge.tsx'
import { MessageAttachments, MessageRecipients } from '../case/attachments.tsx'
import { RedFlagPanel } from '../playbook/red-flags.tsx'

export type { CaseView }

export function CasePage(view: CaseView) {
  return (
    <Layout title={caseLabel(view.kase.number)}>
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <CaseBody {...view} />
    </Layout>
  )
}

const LONG_SUBJECT = 140

/** The swappable part of the case page: every action re-renders it whole (id="case"). */
export function CaseBody(view: CaseView) {
  const { kase, now } = view
  const c = useRequestContext()
  const action = caseNextAction(view)
  const place = feedbackPlace(c.req.method, c.req.path, (name) => c.req.query(name), kase, action)
  const feedback = (here: FeedbackPlace) => (place === here ? <Flash error={view.error} notice={view.notice} focus /> : null)
  const long = kase.subject.length > LONG_SUBJECT
  return (
    <div id="case">
      <header class="case-head">
        <h1 class={long ? 'clamped' : undefined} title={long ? kase.subject : undefined}>
          <span class="muted">{caseLabel(kase.number)}</span> {kase.subject}
        </h1>
        {long ? (
          <details class="full-subject">
            <summary>Show the whole subject ({kase.subject.length} characters)</summary>
            <p>{kase.subject}</p>
          </details>
        ) : null}
        <div class="chips">
          <SeverityBadge severity={kase.severity} />
          <span class="badge">{statusLabel(kase.status)}</span>
          <span class="badge">{sourceLabel(kase.source)}</span>
          <span class="badge">{kase.caseType}</span>
          {kase.externalRef ? <span class="badge ref">Ref {kase.externalRef}</span> : null}
          {kase.ticketUrl ? (
            <a class="badge ref" href={kase.ticketUrl} rel="noopener noreferrer" target="_blank">
              Open the ticket
            </a>
          ) : null}
        </div>
      </header>
      <Clocks kase={kase} now={now} />
      <RedFlagPanel flags={kase.redFlags ?? []} />
      <NextActionBar action={action} kase={kase} team={view.team} feedback={feedback('bar')} />
      <div class="case-grid">
        <CustomerPanel kase={kase} history={view.history} feedback={feedback('customer')} />
        <section class="case-main" aria-label="Thread, reply and timeline">
          {view.warRoom ? (
            <WarRoomSection kase={kase} panel={view.warRoom} team={view.team} now={now} feedback={feedback('war-room')} />
          ) : null}
          <section class="panel" id="thread" aria-labelledby="thread-heading">
            <h2 id="thread-heading">Thread</h2>
            {kase.forwardedBy.length && kase.summary ? (
              // The complaint inside the forward (inline or attached): what the customer actually wrote.
              <article class="message original">
                <header>
                  <strong>Original from {kase.customerName ?? kase.customerEmail ?? 'the customer'}</strong>
                  <span class="muted"> · forwarded by {kase.forwardedBy.join(' → ')}</span>
                </header>
                <div class="mail-scroll" tabindex={0}>
                  <pre class="mail-body">{kase.summary}</pre>
                </div>
              </article>
            ) : null}
            {view.thread.map((m) => (
              <Message message={m} caseId={kase.id} />
            ))}
          </section>
          {view.draft ? (
            <DraftSection panel={view.draft} />
          ) : (
            <section class="panel" id="draft">
              <h2>Reply draft</h2>
              <p class="muted">The drafted reply and its approval appear here.</p>
            </section>
          )}
          {view.approval ? (
            <ApprovalSection
              caseId={kase.id}
              panel={view.approval}
              current={view.draft?.current ?? null}
              canApprove={view.user.role === 'approver' || view.user.role === 'admin'}
              now={now}
              viewerId={view.user.id}
              party={kase}
              requestInBar={action.control?.kind === 'request_approval'}
              approveIsNext={action.kind === 'approve'}
              feedback={feedback('approval')}
            />
          ) : (
            feedback('approval')
          )}
          <Timeline entries={view.timeline} team={view.team} />
        </section>
        <aside class="case-side" aria-label="Case details and actions">
          <ImportedPanel kase={kase} />
          {feedback('reached')}
          <ReachedUs kase={kase} draft={view.draft?.current ?? null} canConfirmExecutive={view.user.role === 'admin'} />
          <CaseActions
            {...view}
            feedback={{ owner: feedback('owner'), severity: feedback('severity'), status: feedback('status'), note: feedback('note') }}
          />
          <MergeControl {...view} />
          {view.reviewPanel ? <ReviewPanel caseId={kase.id} reviewPanel={view.reviewPanel} /> : null}
        </aside>
      </div>
      <CaseActionBar action={action} />
    </div>
  )
}

function CustomerPanel({ kase, history, feedback }: { kase: CaseDetail; history: CaseView['history']; feedback?: Child }) {
  return (
    <section class="panel customer" id="customer" aria-label="Customer">
      <h2>Customer</h2>
      <p>
        <strong>{kase.customerName ?? 'Unknown name'}</strong>
        <br />
        <span class="muted">{kase.customerEmail ?? 'no address'}</span>
      </p>
      {kase.forwardedBy.length ? <p class="muted">Forwarded by {kase.forwardedBy.join(', ')}</p> : null}
      {kase.account ? (
        <dl class="facts">
          <dt>Account</dt>
          <dd>{kase.account.name || kase.account.domain}</dd>
          <dt>Plan</dt>
          <dd>{kase.account.plan ?? '—'}</dd>
          <dt>Revenue</dt>
          <dd>
            <Money value={kase.account.annualRevenue} />
          </dd>
          <dt>Health</dt>
          <dd>
            <Health value={kase.account.health} />
          </dd>
        </dl>
      ) : (
        <p class="muted">No account on file for this customer's domain.</p>
      )}
      {feedback}
      <Corrections kase={kase} />
      {history.length ? (
        <>
          {/* A repeat escalation (src/cases/repeats.ts): flagged from intake on, the pattern view shows it over time. */}
          <p class="warn-text" id="repeat-flag">
            <strong>Repeat escalation</strong>: this customer escalated {history.length === 5 ? '5 or more' : history.length} time
            {history.length === 1 ? '' : 's'} in the 90 days before. <a href="/metrics/patterns">Patterns</a>
          </p>
          <h3>Earlier escalations</h3>
          <ul class="plain">
            {history.map((h) => (
              <li>
                <a href={`/cases/${h.id}`}>{caseLabel(h.number)}</a>{' '}
                <span class="history-subject" title={h.subject.length > LONG_SUBJECT ? h.subject : undefined}>
                  {h.subject.length > LONG_SUBJECT ? `${h.subject.slice(0, LONG_SUBJECT - 1)}…` : h.subject}
                </span>{' '}
                <span class="muted">({statusLabel(h.status)})</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}

const automaticLabels: Record<string, string> = {
  auto_reply: 'Automatic reply',
  delivery_report: 'Delivery report',
  read_receipt: 'Read receipt',
  bulk: 'Bulk mail',
  automated: 'System notification',
  calendar: 'Calendar invitation',
  ticket_acknowledgement: 'Ticket acknowledgement',
}

function Message({ message: m, caseId }: { message: ThreadMessage; caseId: string }) {
  const who = m.automatic
    ? `${automaticLabels[m.automatic] ?? 'Automatic message'} from ${m.fromName ? `${m.fromName} ` : ''}<${m.fromEmail ?? 'unknown'}>`
    : m.direction === 'note'
      ? `Note by ${m.authorName ?? 'a teammate'}`
      : m.direction === 'outbound'
        ? `Our reply to ${m.toEmails.join(', ')}`
        : `${m.fromName ? `${m.fromName} ` : ''}<${m.fromEmail ?? 'unknown'}>`
  return (
    <article class={`message ${m.direction}`}>
      <header>
        <strong>{who}</strong>
        <span class="muted">
          {' '}
          · {formatTime(m.createdAt)}
          {m.direction === 'outbound' ? ' · sent' : ''}
        </span>
        {m.unknownSender ? (
          <span class="badge warn" title="This address is not the customer, a forwarder or a teammate">
            unknown sender
          </span>
        ) : null}
        {m.automatic ? (
          <span class="badge warn" data-automatic={m.automatic} title="Kept on the case as a note: not the customer writing">
            not from the customer
          </span>
        ) : null}
      </header>
      <MessageRecipients caseId={caseId} messageId={m.id} />
      {m.automaticReason ? <p class="muted">{m.automaticReason}</p> : null}
      {m.subject && m.direction !== 'note' ? (
        <p
          class={m.subject.length > LONG_SUBJECT ? 'subject clamped' : 'subject'}
          title={m.subject.length > LONG_SUBJECT ? m.subject : undefined}
        >
          {m.subject}
        </p>
      ) : null}
      {/* A long message scrolls inside its box, which a keyboard must reach too (tabindex). */}
      <div class="mail-scroll" tabindex={0}>
        <pre class="mail-body">{m.textBody || '(no text)'}</pre>
      </div>
      {m.hasHtml ? (
        <details>
          <summary>Show the formatted version (sanitized, no scripts, no remote images)</summary>
          <iframe
            class="mail-html"
            sandbox=""
            referrerpolicy="no-referrer"
            loading="lazy"
            src={`/cases/${caseId}/messages/${m.id}/html`}
            title="Formatted message"
          ></iframe>
        </details>
      ) : null}
      <MessageAttachments caseId={caseId} messageId={m.id} />
    </article>
  )
}

/** What a spreadsheet row brought that has no field of its own: its company, its other columns. */
function ImportedPanel({ kase }: { kase: CaseDetail }) {
  const imported = kase.imported
  if (!imported) return null
  return (
    <section class="panel" id="imported">
      <h2>From the spreadsheet</h2>
      <p class="muted">
        Imported{imported.fileName ? ` from ${imported.fileName}` : ''}
        {imported.runId ? (
          <>
            {' '}
            (<a href={`/import/${imported.runId}`}>the import</a>)
          </>
        ) : null}
        .{imported.draft ? ` ${imported.draft[0]!.toUpperCase()}${imported.draft.slice(1)}.` : ''}
      </p>
      {kase.customerAccount || imported.fields.length ? (
        <dl class="facts">
          {kase.customerAccount ? (
            <>
              <dt>Company</dt>
              <dd>{kase.customerAccount}</dd>
            </>
          ) : null}
          {imported.fields.map((f) => (
            <>
              <dt>{f.name}</dt>
              <dd class="prewrap">{f.value}</dd>
            </>
          ))}
        </dl>
      ) : null}
    </section>
  )
}
