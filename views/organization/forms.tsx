import { severities, sourceLabel, sources } from '../../src/cases/terms.ts'
import type { OrgPage } from '../../src/orgs/organization-page.ts'
import { Field, TextArea, type FormState } from './fields.tsx'

// The organization page's forms about people: executives, the sender identity, the approvers.

/** Whose forwards are the CEO's inbox, in whose voice and name their replies go. */
export function ExecutivesForm({ page, form: { problem } }: { page: OrgPage; form: FormState }) {
  return (
    <form method="post" action="/admin/organization/executives" class="panel stack" id="executives">
      <h2>Executives</h2>
      <p class="muted">
        Mail they forward to the desk is a CEO-inbox case; its reply is drafted in their voice (name and title) and sent in their name. Tick
        "send as" only when their address's domain is verified at your mail provider: the reply then comes From their own address.
      </p>
      {problem('executives', 'executives') ? (
        <p class="field-error" role="alert">
          {problem('executives', 'executives')}
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>Address</th>
            <th>Name</th>
            <th>Title</th>
            <th>Send as</th>
            <th>Remove</th>
          </tr>
        </thead>
        <tbody>
          {page.executives.map((e, n) => (
            <tr>
              <td>
                <input name={`email.${n}`} value={e.email} aria-label="Executive's address" />
              </td>
              <td>
                <input name={`name.${n}`} value={e.name} aria-label={`Name of ${e.email}`} />
              </td>
              <td>
                <input name={`title.${n}`} value={e.title} aria-label={`Title of ${e.email}`} />
              </td>
              <td>
                <input type="checkbox" name={`send_as.${n}`} checked={e.sendAs} aria-label={`Send as ${e.email}`} />
              </td>
              <td>
                <input type="checkbox" name={`remove.${n}`} aria-label={`Remove ${e.email}`} />
              </td>
            </tr>
          ))}
          <NewExecutiveRow />
        </tbody>
      </table>
      <button type="submit">Save executives</button>
    </form>
  )
}

/** The empty row that adds an executive. */
function NewExecutiveRow() {
  return (
    <tr>
      <td>
        <input name="email.new" type="email" placeholder="ceo@acme.com" aria-label="New executive's address" />
      </td>
      <td>
        <input name="name.new" placeholder="Dana Ruiz" aria-label="New executive's name" />
      </td>
      <td>
        <input name="title.new" placeholder="CEO" aria-label="New executive's title" />
      </td>
      <td>
        <input type="checkbox" name="send_as.new" aria-label="Send as the new executive" />
      </td>
      <td></td>
    </tr>
  )
}

/** The From of customer replies, as the customer will see it, and the signature. */
export function SenderForm({ page, form: { typed, problem } }: { page: OrgPage; form: FormState }) {
  const { org } = page
  return (
    <form method="post" action="/admin/organization/sender" class="panel stack" id="sender">
      <h2>Sender and signature</h2>
      <Field
        label="From of customer replies (e.g. Acme Support <support@acme.com>, on a domain verified at your mail provider; empty: the desk's MAIL_FROM)"
        name="reply_from"
        value={typed('sender', 'reply_from', org.replyFrom ?? '')}
        error={problem('sender', 'reply_from')}
      />
      <p class="muted">Replies always carry Reply-To with the case's own address, so answers come back to the case. The customer sees:</p>
      <ul class="plain" id="sender-preview">
        {page.senders.map((s) => (
          <li>
            {s.label}: <code>{s.from}</code>
          </li>
        ))}
      </ul>
      <Field
        label="Signed by (the team's voice; CEO-inbox replies are signed by the executive)"
        name="sender_name"
        value={typed('sender', 'sender_name', page.drafting.sender_name)}
        error={problem('sender', 'sender_name')}
      />
      <TextArea
        name="signature"
        label="Signature drafts end with (empty: the name above and the organization)"
        rows={4}
        value={typed('sender', 'signature', page.drafting.signature)}
        error={problem('sender', 'signature')}
      />
      <button type="submit">Save sender and signature</button>
    </form>
  )
}

export function ApproversForm({ page, error }: { page: OrgPage; error?: string }) {
  const listed = (scope: string, value: string) => page.approverLists.find((l) => l.scope === scope && l.value === value)?.userIds ?? []
  const row = (scope: 'severity' | 'source', value: string, label: string) => (
    <tr>
      <th scope="row">{label}</th>
      {page.approvers.map((a) => (
        <td>
          <input
            type="checkbox"
            name={`approvers.${scope}.${value}`}
            value={a.id}
            checked={listed(scope, value).includes(a.id)}
            aria-label={`${a.name || a.email} approves ${label}`}
          />
        </td>
      ))}
    </tr>
  )
  return (
    <form method="post" action="/admin/organization/approvers" class="panel stack" id="approvers">
      <h2>Who approves what</h2>
      <p class="muted">
        A case goes to the approvers ticked for its source (say, lawyer and regulator letters only to those trained in legal review); if
        none are, to those ticked for its severity; if none are, to every approver. Only they can approve it, and every change is audited.
      </p>
      {error ? (
        <p class="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {page.approvers.length === 0 ? (
        <p>
          Nobody has the approver role yet: <a href="/admin/users">give someone the role</a>.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th></th>
              {page.approvers.map((a) => (
                <th>{a.name || a.email}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {severities.map((s) => row('severity', s, s))}
            {sources.map((s) => row('source', s, sourceLabel(s)))}
          </tbody>
        </table>
      )}
      <button type="submit">Save approvers</button>
    </form>
  )
}
