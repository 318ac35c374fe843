import { raw } from 'hono/html'
import type { AdminQuarantine, HeldMessage } from '../../src/intake/quarantine.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'

const quarantineStyles = `
.held { width:100%; } .held td { vertical-align:top; overflow-wrap:anywhere; } .held .reason { max-width:28rem; }
.held .actions { display:flex; flex-wrap:wrap; gap:.3rem; align-items:center; } .held .actions form { display:flex; gap:.3rem; }
.held code { font-size:.75rem; } .state-stuck { color:#b54708; font-weight:600; } .state-quarantined { color:#b42318; font-weight:600; }
@media (max-width: 700px) { .held thead { display:none; } .held tr { display:block; border-bottom:1px solid #d0d5dd; padding:.4rem 0; } .held td { display:block; } }
`

export type QuarantineProps = AdminQuarantine & { notice?: string; error?: string }

export function QuarantinePage(props: QuarantineProps) {
  return (
    <Layout title="Quarantine">
      <style nonce={useNonce()}>{raw(quarantineStyles)}</style>
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Mail that did not become a case</h1>
      <QuarantineBody {...props} />
    </Layout>
  )
}

const kilobytes = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0)} KB`)

/** The swappable part (id="quarantine"): actions answer with it, flash included. */
export function QuarantineBody({ own, claimable, otherUnrouted, notice, error }: QuarantineProps) {
  return (
    <div id="quarantine">
      <Flash notice={notice} error={error} />
      <p>
        Every stored message that is <strong>quarantined</strong> (intake could not take it: the reason is shown) or <strong>stuck</strong>{' '}
        (stored, then its process stopped; the scheduler's sweep retries it up to three times). Nothing here is lost: reprocess it once the
        cause is fixed, keep it as not an escalation, or download the raw message to look at it in a mail program.
      </p>
      <section class="panel">
        <h2>This organization ({own.length})</h2>
        {own.length ? (
          <HeldTable messages={own} />
        ) : (
          <p class="empty">Nothing is held: every message became a case, joined one, or was set aside as not an escalation.</p>
        )}
      </section>
      {claimable.length ? (
        <section class="panel">
          <h2>Addressed to your domains, routed to no organization ({claimable.length})</h2>
          <p>
            Mail to an address on a domain only this organization receives on, but not to one of its inbound addresses (a typo, an old
            address). Reprocessing one files it here.
          </p>
          <HeldTable messages={claimable} unrouted />
        </section>
      ) : null}
      <p class="muted" id="unrouted-count">
        {otherUnrouted === 0
          ? 'No other mail is waiting without an organization.'
          : `${otherUnrouted} other message${otherUnrouted === 1 ? ' was' : 's were'} routed to no organization. They may be another organization's, so only the operator sees them: \`desk quarantine list\`, then \`desk ingest --reprocess <id> --org SLUG\`.`}
      </p>
    </div>
  )
}

function HeldTable({ messages, unrouted = false }: { messages: HeldMessage[]; unrouted?: boolean }) {
  return (
    <table class="held">
      <thead>
        <tr>
          <th>Received</th>
          <th>From / subject</th>
          <th>Why</th>
          <th>Size</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {messages.map((m) => (
          <tr id={`held-${m.id}`}>
            <td>
              {formatTime(m.receivedAt)}
              <br />
              <span class="muted">{m.provider}</span>
            </td>
            <td>
              <strong>{m.subject}</strong>
              <br />
              {m.fromName ? `${m.fromName} ` : ''}
              {m.from ? `<${m.from}>` : <span class="muted">no sender</span>}
              {unrouted && m.recipients.length ? (
                <>
                  <br />
                  <span class="muted">to {m.recipients.slice(0, 3).join(', ')}</span>
                </>
              ) : null}
              <br />
              <code title="The id desk ingest --reprocess takes">{m.id}</code>
            </td>
            <td class="reason">
              <span class={`state-${m.state}`}>{m.state}</span> {m.reason}
            </td>
            <td>{kilobytes(m.size)}</td>
            <td>
              <HeldActions m={m} unrouted={unrouted} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Reprocess (taking it, for unrouted mail), dismiss as not an escalation, or download one held message. */
function HeldActions({ m, unrouted }: { m: HeldMessage; unrouted: boolean }) {
  const nonce = useNonce()
  return (
    <div class="actions">
      <form
        method="post"
        action={`/admin/quarantine/${m.id}/reprocess`}
        hx-post={`/admin/quarantine/${m.id}/reprocess`}
        hx-target="#quarantine"
        hx-swap="outerHTML"
        hx-nonce={nonce}
      >
        <button type="submit">{unrouted ? 'Take and reprocess' : 'Reprocess'}</button>
      </form>
      <form
        method="post"
        action={`/admin/quarantine/${m.id}/not-escalation`}
        hx-post={`/admin/quarantine/${m.id}/not-escalation`}
        hx-target="#quarantine"
        hx-swap="outerHTML"
        hx-nonce={nonce}
      >
        <input type="text" name="note" maxlength={500} placeholder="Why (optional)" aria-label="Why it is not an escalation" />
        <button type="submit">Not an escalation</button>
      </form>
      <a href={`/admin/quarantine/${m.id}/raw.eml`} download>
        Download .eml
      </a>
    </div>
  )
}
