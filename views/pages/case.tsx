import { caseLabel, sourceLabel, statusLabel } from '../../src/cases/terms.ts'
import type { CaseDetail, TeamMember, ThreadMessage, TimelineEntry } from '../../src/cases/detail.ts'
import { CaseActions } from '../case/actions.tsx'
import { DraftSection } from '../case/draft.tsx'
import type { CaseDrafts } from '../../src/drafts/case-drafts.ts'
import { ApprovalSection } from '../case/approval.tsx'
import { ReviewPanel } from '../case/review-panel.tsx'
import type { CaseReviewPanel } from '../../src/reviews/case-panel.ts'
import type { CaseApprovals } from '../../src/approvals/case-approvals.ts'
import { Countdown, Flash, formatTime, Health, Money, SeverityBadge } from '../components/parts.tsx'
import { Layout, type HeaderUser } from '../components/layout.tsx'
import { Timeline } from '../case/timeline.tsx'
import { CaseActionBar, NextActionBar } from '../case/next-action-bar.tsx'
import { nextAction, type NextAction } from '../../src/cases/next-action.ts'
import type { Child } from 'hono/jsx'
import { useRequestContext } from 'hono/jsx-renderer'
import { Corrections, ReachedUs } from '../case/intake-panel.tsx'

export type CaseView = {
  kase: CaseDetail
  thread: ThreadMessage[]
  timeline: TimelineEntry[]
  team: TeamMember[]
  history: { id: string; number: number; subject: string; status: string; openedAt: Date }[]
  /** The reply draft (views/case/draft.tsx); absent where a caller does not load it. */
  draft?: CaseDrafts
  approval?: CaseApprovals
  /** Recovery suggestion, CSAT and the post-incident review link (views/case/review-panel.tsx). */
  reviewPanel?: CaseReviewPanel
  user: HeaderUser & { id: string }
  now: Date
  error?: string | null
  notice?: string | null
}

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

/** Where an action's answer is shown: beside the control that was used (the request's path says which). */
type FeedbackPlace = 'bar' | 'owner' | 'severity' | 'status' | 'note' | 'customer' | 'reached' | 'approval'

function feedbackPlace(
  method: string,
  path: string,
  query: (name: string) => string | undefined,
  kase: CaseDetail,
  action: NextAction,
): FeedbackPlace {
  // After a redirect: asking for approval is pressed in the bar; deciding, in the approval section.
  if (method !== 'POST') return query('notice') === 'approval-requested' ? 'bar' : 'approval'
  if (query('from') === 'next') return 'bar'
  const verb = path.split('/').slice(3).join('/')
  if (verb === 'assign') return kase.ownerId && action.kind !== 'acknowledge' ? 'owner' : 'bar'
  if (verb === 'acknowledge') return 'bar'
  if (verb === 'severity') return 'severity'
  if (verb === 'status') return 'status'
  if (verb === 'notes') return 'note'
  if (verb.startsWith('correct/')) return 'customer'
  if (verb === 'executive') return 'reached'
  return 'bar'
}

/** The case's state as the next-action rule reads it (src/cases/next-action.ts). */
export function caseNextAction(view: CaseView): NextAction {
  const { kase, draft, approval, user } = view
  const current = draft?.current ?? null
  const fourEyes = approval?.fourEyes
  return nextAction({
    ...kase,
    viewer: { id: user.id, canApprove: user.role === 'approver' || user.role === 'admin' },
    draft: {
      pending: draft?.pending ?? false,
      current: current
        ? {
            version: current.version,
            blocked: current.guardrailFlags.some((f) => f.severity === 'block'),
            approved: Boolean(approval?.decisions.some((d) => d.decision === 'approved' && d.version === current.version)),
          }
        : null,
    },
    approvals: {
      open: approval?.open ?? [],
      sends: approval?.sends ?? [],
      viewerIsAuthor: Boolean(fourEyes && !fourEyes.selfApprovalAllowed && fourEyes.authors.some((a) => a.id === user.id)),
    },
  })
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
        </div>
      </header>
      <Clocks kase={kase} now={now} />
      <NextActionBar action={action} kase={kase} team={view.team} feedback={feedback('bar')} />
      <div class="case-grid">
        <CustomerPanel kase={kase} history={view.history} feedback={feedback('customer')} />
        <section class="case-main" aria-label="Thread, reply and timeline">
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
          {view.reviewPanel ? <ReviewPanel caseId={kase.id} reviewPanel={view.reviewPanel} /> : null}
        </aside>
      </div>
      <CaseActionBar action={action} />
    </div>
  )
}

function Clocks({ kase, now }: { kase: CaseDetail; now: Date }) {
  const finished = kase.status === 'resolved' || kase.status === 'closed'
  return (
    <section class="panel clocks" aria-label="Clocks">
      <div>
        <h3>First response</h3>
        {kase.firstResponseAt ? (
          <span class={`countdown ${kase.firstResponseDueAt && kase.firstResponseAt > kase.firstResponseDueAt ? 'breached' : 'met'}`}>
            sent {formatTime(kase.firstResponseAt)}
          </span>
        ) : finished ? (
          <span class="muted">none sent</span>
        ) : (
          <Countdown due={kase.firstResponseDueAt} atRisk={kase.firstResponseAtRiskAt} now={now} />
        )}
      </div>
      <div>
        <h3>Next update</h3>
        {kase.nextUpdateDueAt ? (
          <Countdown due={kase.nextUpdateDueAt} atRisk={kase.nextUpdateAtRiskAt} now={now} />
        ) : (
          <span class="muted">{kase.firstResponseAt ? 'on change' : 'after the first reply'}</span>
        )}
      </div>
      <div>
        <h3>Resolution</h3>
        {kase.resolvedAt ? (
          <span class="countdown met">resolved {formatTime(kase.resolvedAt)}</span>
        ) : kase.resolutionPausedAt ? (
          <span class="muted">paused: waiting on the customer</span>
        ) : (
          <Countdown due={kase.resolutionDueAt} atRisk={kase.resolutionAtRiskAt} now={now} />
        )}
      </div>
      <div class="reasons">
        <h3>Why {kase.severity}</h3>
        <ul>
          {kase.severityReasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      </div>
    </section>
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
