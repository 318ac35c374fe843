import type { HeldMail } from '../../src/owner-queries.ts'
import { Layout } from '../components/layout.tsx'

const URL_PATTERN = /(https?:\/\/[^\s<>"']+)/g

/** Plain text with its http(s) links made clickable; everything else stays escaped text. */
function LinkedText({ text }: { text: string }) {
  return (
    <>
      {text.split(URL_PATTERN).map((part, i) =>
        i % 2 === 1 ? (
          <a href={part} rel="noreferrer">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  )
}

const when = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ') + ' UTC'

export function MailboxPage({ mail }: { mail: HeldMail[] }) {
  return (
    <Layout title="Dev mailbox" user={null}>
      <h1>Dev mailbox</h1>
      <p class="muted">
        No <code>RESEND_API_KEY</code> is set, so the desk keeps its outgoing mail here instead of sending it. Newest first.
      </p>
      {mail.length === 0 ? <div class="panel empty">No mail yet.</div> : null}
      {mail.map((m) => (
        <article class="panel mail" id={`mail-${m.id}`}>
          <h2>
            <a href={`/dev/mailbox/${m.id}`}>{m.subject}</a>
          </h2>
          <p class="muted">
            To {m.to.join(', ')} · {when(m.createdAt)}
          </p>
          <pre>
            <LinkedText text={m.text} />
          </pre>
        </article>
      ))}
    </Layout>
  )
}

export function HeldMailPage({ mail }: { mail: HeldMail }) {
  return (
    <Layout title={mail.subject} user={null}>
      <p>
        <a href="/dev/mailbox">← Dev mailbox</a>
      </p>
      <article class="panel mail">
        <h1>{mail.subject}</h1>
        <dl>
          <dt>From</dt>
          <dd>{mail.from}</dd>
          <dt>To</dt>
          <dd>{mail.to.join(', ')}</dd>
          <dt>Held</dt>
          <dd>{when(mail.createdAt)}</dd>
        </dl>
        <pre>
          <LinkedText text={mail.text} />
        </pre>
      </article>
    </Layout>
  )
}
