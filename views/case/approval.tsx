import type { CaseApprovals } from '../../src/approvals/case-approvals.ts'
import type { DraftVersion } from '../../src/drafts/queries.ts'
import { formatDuration, formatTime } from '../components/parts.tsx'
import type { Child } from 'hono/jsx'
import { describeRecipients, type ReplyParty } from '../../src/drafts/recipient.ts'
import { CopiesAndFiles } from './reply-files.tsx'

type Props = {
  caseId: string
  panel: CaseApprovals
  current: DraftVersion | null
  canApprove: boolean
  now: Date
  viewerId?: string
  party?: ReplyParty
  /** The next-action bar holds the Request approval button: it is not repeated here. */
  requestInBar?: boolean
  /** Approving is the case's next step: its button is the primary one (else it is quiet, like every other). */
  approveIsNext?: boolean
  /** An answer to a request or decision made here (after its redirect). */
  feedback?: Child
}

const sendStatus: Record<string, string> = {
  pending: 'queued',
  sending: 'sending (retrying if the provider is busy)',
  sent: 'sent',
  failed: 'FAILED',
  cancelled: 'held back before it was sent',
}

/** Four eyes on the current version: the viewer may have written it, or others did. */
function fourEyesNote(panel: CaseApprovals, viewerId: string | undefined): { viewerIsAuthor: boolean; note: string | null } {
  const f = panel.fourEyes
  if (!f || f.selfApprovalAllowed || !f.authors.length) return { viewerIsAuthor: false, note: null }
  if (viewerId && f.authors.some((a) => a.id === viewerId)) {
    return { viewerIsAuthor: true, note: `You wrote or edited version ${f.version}, so another approver must approve it.` }
  }
  return {
    viewerIsAuthor: false,
    note: `Version ${f.version} was written or edited by ${f.authors.map((a) => a.name).join(', ')}: someone else must approve it.`,
  }
}

/**
 * Nothing reaches the customer from here without an approver: the owner asks, approvers decide
 * (by their emailed link, or here when signed in), then the send status shows.
 */
export function ApprovalSection({
  caseId,
  panel,
  current,
  canApprove,
  now,
  viewerId,
  party,
  requestInBar,
  approveIsNext,
  feedback,
}: Props) {
  const blockers = current?.guardrailFlags.filter((f) => f.severity === 'block') ?? []
  const warnings = current?.guardrailFlags.filter((f) => f.severity === 'warn') ?? []
  const fourEyes = fourEyesNote(panel, viewerId)
  return (
    <section class="panel" id="approval" aria-labelledby="approval-heading">
      <h2 id="approval-heading">Approval and sending</h2>
      {feedback}
      {panel.sends.map((s) => (
        <p class={`send send-${s.status}`}>
          <strong>{sendStatus[s.status] ?? s.status}</strong> · version {s.version} to {s.toEmails.join(', ')}
          {s.sentAt ? <> · {formatTime(s.sentAt)}</> : <span class="muted"> · approved {formatTime(s.createdAt)}</span>}
          {s.lastError && s.status !== 'sent' ? (
            <>
              <br />
              <span class="error">{s.lastError}</span>
            </>
          ) : null}
        </p>
      ))}
      {panel.open.length ? <Waiting open={panel.open} viewerId={viewerId} now={now} /> : null}
      {panel.decisions
        .filter((d) => d.decision === 'rejected')
        .slice(0, 1)
        .map((d) => (
          <p class="flash error">
            Version {d.version} was rejected by {d.approverName}: “{d.note}”
          </p>
        ))}
      {!current ? (
        <p class="muted">A reply needs a draft before it can be approved.</p>
      ) : panel.decisions.some((d) => d.decision === 'approved' && d.version === current.version) ? (
        <p class="muted">
          Version {current.version} is approved. To send something else, edit or redraft: the new version needs its own approval.
        </p>
      ) : blockers.length ? (
        <p class="muted">Fix the blocking issues in the draft first; then ask for approval.</p>
      ) : (
        <>
          {party ? (
            <p class="reply-goes" data-reply-goes>
              <strong>{describeRecipients(current.toEmails, party)}</strong>
            </p>
          ) : null}
          <CopiesAndFiles draft={current} />
          {requestInBar ? (
            <p class="muted">Ask for approval with the button at the top of the case.</p>
          ) : (
            <form method="post" action={`/cases/${caseId}/approval/request`} class="inline">
              <button type="submit">Request approval of version {current.version}</button>
            </form>
          )}
          {fourEyes.note ? <p class="muted four-eyes">{fourEyes.note}</p> : null}
          {canApprove && !fourEyes.viewerIsAuthor ? (
            <form method="post" action={`/cases/${caseId}/approval/decide`} class="stack approve-form">
              <input type="hidden" name="draftId" value={current.id} />
              {warnings.map((f) => (
                <label>
                  <input type="checkbox" name="ack" value={f.code} /> {f.message}
                </label>
              ))}
              <input name="note" placeholder="Note (needed to reject)" aria-label="Note (needed to reject)" />
              <div class="toolbar">
                <button type="submit" name="decision" value="approved" class={approveIsNext ? 'primary' : undefined}>
                  Approve version {current.version} and send
                </button>
                <button type="submit" name="decision" value="rejected" class="danger">
                  Reject
                </button>
              </div>
            </form>
          ) : fourEyes.viewerIsAuthor ? null : (
            <p class="muted">Only an approver or admin can approve; request approval and they get a link.</p>
          )}
        </>
      )}
    </section>
  )
}

/** Who is being waited on: never the viewer themselves, who is told they were asked. */
function Waiting({ open, viewerId, now }: { open: CaseApprovals['open']; viewerId?: string; now: Date }) {
  const others = [...new Set(open.filter((r) => r.approverId !== viewerId).map((r) => r.approverName))]
  const askedViewer = open.some((r) => r.approverId === viewerId)
  const since = open[0]!.createdAt
  return (
    <p data-waiting>
      {others.length ? `Waiting for ${others.join(', ')}` : 'Waiting for your decision'} since {formatTime(since)} · asked{' '}
      {formatDuration(now.getTime() - since.getTime())} ago
      {others.length && askedViewer ? <span class="muted"> · you were asked too</span> : null}
    </p>
  )
}
