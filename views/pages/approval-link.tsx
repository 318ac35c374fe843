import { caseLabel, sourceLabel, type ChannelKind } from '../../src/cases/terms.ts'
import { describeRecipients } from '../../src/drafts/recipient.ts'
import { CopiesAndFiles } from '../case/reply-files.tsx'
import type { LinkProblem } from '../../src/approvals/links.ts'
import type { ApprovalInvite } from '../../src/approvals/requests.ts'
import type { DraftVersion } from '../../src/drafts/queries.ts'
import type { ReplyHeaders } from '../../src/outbound/identity.ts'
import { Countdown, Flash, formatTime, SeverityBadge } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'
import { ApprovalSecondFactorField } from './second-factor.tsx'

export type ReviewCase = {
  id: string
  number: number
  subject: string
  severity: string
  source: string
  customerName: string | null
  customerEmail: string | null
  /** The body or counsel the case came through: the reply may go there instead of the customer. */
  channelKind: ChannelKind | null
  channelName: string | null
  channelEmail: string | null
  firstResponseDueAt: Date | null
  firstResponseAtRiskAt: Date | null
  firstResponseAt: Date | null
  /** What intake kept of the complaint (the original inside a forward). */
  summary?: string
  forwardedBy?: string[]
}

export type ApprovalLinkProps = {
  token: string
  kase: ReviewCase
  draft: DraftVersion
  thread: { from: string; at: Date; text: string }[]
  approverName: string
  expiresAt: Date
  now: Date
  error?: string | null
  values?: Record<string, string>
  /**
   * Four eyes for this approver: 'yours' when they wrote part of this version, 'edits' when an
   * edit here would need another approver, 'none' when the org allows self-approval here.
   */
  fourEyes?: 'yours' | 'edits' | 'none'
  /** From and Reply-To exactly as the customer will see them. */
  sender: ReplyHeaders
  /** The second factor a decision here needs (src/auth/second-factor-admin.ts). */
  secondFactor?: 'code' | 'enrol' | null
}

const fourEyesHints = {
  yours: 'You wrote or edited this version, so another approver must approve it: pressing Approve asks them.',
  edits: 'This case needs two people: if you edit the text, your edit is saved as a new version and another approver must approve it.',
  none: null,
} as const

/**
 * The page behind an approval link. Opening it changes nothing (mail scanners follow links);
 * only the buttons, which POST, decide. An edit here becomes a new version by the approver.
 */
export function ApprovalLinkPage({
  token,
  kase,
  draft,
  thread,
  approverName,
  expiresAt,
  now,
  error,
  values = {},
  fourEyes = 'none',
  sender,
  secondFactor,
}: ApprovalLinkProps) {
  const blockers = draft.guardrailFlags.filter((f) => f.severity === 'block')
  const warnings = draft.guardrailFlags.filter((f) => f.severity === 'warn')
  const long = kase.subject.length > 140
  return (
    <Layout title={`Approve reply · ${caseLabel(kase.number)}`} user={null}>
      <h1>Review the reply to {caseLabel(kase.number)}</h1>
      <p class="chips">
        <SeverityBadge severity={kase.severity} /> <span class="badge">{sourceLabel(kase.source)}</span>
        <span class={long ? 'subject-line clamped' : 'subject-line'} title={long ? kase.subject : undefined}>
          {kase.subject}
        </span>
      </p>
      <p class="approval-clock">
        {kase.firstResponseAt ? (
          <>First response sent {formatTime(kase.firstResponseAt)}</>
        ) : (
          <Countdown due={kase.firstResponseDueAt} atRisk={kase.firstResponseAtRiskAt} now={now} label="First response" />
        )}
      </p>
      <div class="approval-grid">
        <CustomerSaid kase={kase} thread={thread} />
        <section class="panel" id="review" aria-labelledby="review-heading">
          <h2 id="review-heading">The reply</h2>
          <p class="muted">
            For {approverName}. This link works once and expires {formatTime(expiresAt)}. Version {draft.version}.
          </p>
          {fourEyesHints[fourEyes] ? <p class="four-eyes">{fourEyesHints[fourEyes]}</p> : null}
          {/* #decision: a refused decision comes back scrolled to its message, beside the buttons. */}
          <form method="post" action="/approve#decision" class="stack">
            <input type="hidden" name="token" value={token} />
            <dl class="facts">
              <dt>From</dt>
              <dd data-sender>{sender.from}</dd>
              <dt>Reply-To</dt>
              <dd>{sender.replyTo}</dd>
            </dl>
            <p class="reply-goes" data-reply-goes>
              <strong>{describeRecipients(draft.toEmails, kase)}</strong>
            </p>
            <label class="field">
              <span>To</span>
              <input name="to" value={values.to ?? draft.toEmails.join(', ')} required />
            </label>
            <CopiesAndFiles draft={draft} />
            <label class="field">
              <span>Subject</span>
              <input name="subject" value={values.subject ?? draft.subject} required />
            </label>
            <label class="field">
              <span>Reply (edit freely: your edit is what gets approved)</span>
              <textarea name="body" rows={16} required>
                {values.body ?? draft.body}
              </textarea>
            </label>
            {blockers.length ? (
              <div class="flash error" role="alert">
                <strong>Cannot be approved until fixed:</strong>
                <ul>
                  {blockers.map((f) => (
                    <li>
                      {f.message}
                      {f.evidence ? <> — “{f.evidence}”</> : null}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {warnings.length ? (
              <fieldset class="warnings">
                <legend>Read and confirm each warning</legend>
                {warnings.map((f) => (
                  <label>
                    <input type="checkbox" name="ack" value={f.code} /> {f.message}
                    {f.evidence ? <span class="muted"> — “{f.evidence}”</span> : null}
                  </label>
                ))}
              </fieldset>
            ) : null}
            <label class="field">
              <span>Note (optional; required to explain a rejection)</span>
              <input name="note" value={values.note ?? ''} />
            </label>
            <ApprovalSecondFactorField ask={secondFactor} />
            <div id="decision">
              <Flash error={error} />
            </div>
            <div class="toolbar">
              <button type="submit" name="decision" value="approved" class="primary">
                Approve and send
              </button>
              <button type="submit" name="decision" value="rejected" class="danger quiet">
                Reject
              </button>
            </div>
          </form>
        </section>
      </div>
    </Layout>
  )
}

/**
 * What the approver reads first, before the reply and its buttons: the customer's own words
 * (the newest message of the thread in full) and a line for each earlier one.
 */
function CustomerSaid({ kase, thread }: { kase: ReviewCase; thread: ApprovalLinkProps['thread'] }) {
  // The newest message from the customer's own address (a notice body's or counsel's, else the newest of all).
  const email = kase.customerEmail?.toLowerCase()
  const latest = thread.find((m) => email && m.from.toLowerCase().includes(email)) ?? thread[0]
  const earlier = thread.filter((m) => m !== latest)
  const original = kase.forwardedBy?.length && kase.summary ? kase.summary : null
  return (
    <section class="panel customer-said" id="customer-said" aria-labelledby="customer-said-heading">
      <h2 id="customer-said-heading">What the customer wrote</h2>
      <p>
        <strong>{kase.customerName ?? 'Unknown name'}</strong> <span class="muted">{kase.customerEmail ?? 'no address'}</span>
      </p>
      {original ? (
        <article class="message original">
          <header>
            <strong>Their original message</strong>
            <span class="muted"> · forwarded by {kase.forwardedBy!.join(' → ')}</span>
          </header>
          <div class="mail-scroll" tabindex={0}>
            <pre class="mail-body">{original}</pre>
          </div>
        </article>
      ) : null}
      {latest ? (
        <article class="message">
          <header>
            <strong>{latest.from}</strong> <span class="muted">{formatTime(latest.at)}</span>
          </header>
          <div class="mail-scroll" tabindex={0}>
            <pre class="mail-body">{latest.text}</pre>
          </div>
        </article>
      ) : null}
      {earlier.length ? (
        <>
          <h3>Also in the thread (newest first)</h3>
          <ol class="thread-summary">
            {earlier.map((m) => (
              <li>
                <strong>{m.from}</strong> <span class="muted">· {formatTime(m.at)}</span>
                <br />
                {firstLine(m.text)}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  )
}

/** One line of a message for the thread summary: its first words, not its quoted history. */
function firstLine(text: string): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim() && !l.startsWith('>'))
      ?.trim() ?? ''
  return line.length > 160 ? `${line.slice(0, 157)}…` : line
}

export function LinkNotice({ title, message, link }: { title: string; message: string; link?: { href: string; text: string } }) {
  return (
    <Layout title={title} user={null}>
      <section class="panel narrow">
        <h1>{title}</h1>
        <p>{message}</p>
        {link ? (
          <p>
            <a href={link.href}>{link.text}</a>
          </p>
        ) : null}
      </section>
    </Layout>
  )
}

const invalidWords = {
  altered: 'It may be incomplete or altered. Open the link from the email again, or sign in to the desk.',
  unmatched: 'It does not match any approval request. Sign in to the desk to review the case.',
  gone: 'The approver or the case no longer exists.',
} as const

const capitalised = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`

/** What the person who opened the link is told, for each reason it cannot be used. */
export function linkProblemText(p: LinkProblem): { title: string; message: string } {
  switch (p.reason) {
    case 'expired':
      return {
        title: 'This approval link has expired',
        message:
          'Approval links expire for safety. Ask the case owner to request approval again, or sign in and approve from the case page.',
      }
    case 'invalid':
      return { title: 'This link is not valid', message: invalidWords[p.why] }
    case 'used':
      return {
        title: 'This link was already used',
        message: `A decision on ${caseLabel(p.caseNumber)} has been recorded. Sign in to see where it stands.`,
      }
    case 'replaced':
      return {
        title: 'This version was replaced',
        message: `${p.voidReason ? `${capitalised(p.voidReason)}, so this` : 'This'} approval link no longer applies. The current version is ${p.currentVersion !== null ? `version ${p.currentVersion}` : 'not drafted yet'}; review it on the case page (or ask for a new approval link).`,
      }
  }
}

export function LinkProblemPage({ problem }: { problem: LinkProblem }) {
  const { title, message } = linkProblemText(problem)
  const caseId = 'caseId' in problem ? problem.caseId : null
  return (
    <LinkNotice
      title={title}
      message={message}
      link={caseId ? { href: `/cases/${caseId}`, text: 'Open the case (sign-in needed)' } : { href: '/sign-in', text: 'Sign in' }}
    />
  )
}

/** What an approver who handed their version on is told (on the link page or the case page). */
export function handedOnMessage(version: number, invites: ApprovalInvite[]): string {
  const asked = invites.map((i) => i.name || i.email)
  return `Your edit is saved as version ${version}; another approver must approve it. ${
    asked.length
      ? `${asked.join(', ')} ${asked.length === 1 ? 'has' : 'have'} been asked.`
      : 'Nobody else in your organization can approve replies yet: an admin can give someone the approver role.'
  }`
}
