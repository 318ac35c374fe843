import { severities, sourceLabel, sources } from '../../src/cases/terms.ts'
import type { OrgPage, Section } from '../../src/orgs/organization-page.ts'
import type { ProviderSetup } from '../../src/orgs/receiving.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = {
  page: OrgPage
  notice?: string
  /** The section whose form was refused, with what was typed and the problems by field. */
  section?: Section
  errors?: Record<string, string>
  values?: Record<string, unknown>
}

/** What was typed into a refused section, and its problems by field. */
type FormState = {
  typed: (s: Section, name: string, fallback: string) => string
  problem: (s: Section, field: string) => string | undefined
}

/** The organization page: one form per section, each saved and audited on its own. */
export function OrganizationPage({ page, notice, section, errors = {}, values = {} }: Props) {
  const { org } = page
  const typed = (s: Section, name: string, fallback: string) =>
    section === s && typeof values[name] === 'string' ? (values[name] as string) : fallback
  const problem = (s: Section, field: string) => (section === s ? errors[field] : undefined)
  const form: FormState = { typed, problem }
  return (
    <Layout title="Organization">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>{org.name}</h1>
      <Flash notice={notice} error={section ? 'Not saved: see the message beside the field.' : null} />

      <form method="post" action="/admin/organization/profile" class="panel stack" id="profile">
        <h2>Name and time zone</h2>
        <Field label="Name" name="name" value={typed('profile', 'name', org.name)} error={problem('profile', 'name')} />
        <Field
          label="Time zone (IANA, e.g. Europe/Berlin; digests and business hours follow it)"
          name="timezone"
          value={typed('profile', 'timezone', org.timezone)}
          error={problem('profile', 'timezone')}
        />
        <p class="muted">
          Slug <code>{org.slug}</code> (for <code>--org</code> and <code>?org=</code>).
        </p>
        <button type="submit">Save</button>
      </form>

      <section class="panel" id="users">
        <h2>People</h2>
        <p>
          {page.activeUsers} active user{page.activeUsers === 1 ? '' : 's'}.{' '}
          <a href="/admin/users">Invite someone, change roles, disable</a>: an invitation is an email with a single-use sign-in link.
        </p>
      </section>

      <form method="post" action="/admin/organization/inbound" class="panel stack" id="inbound">
        <h2>Inbound addresses</h2>
        <p class="muted">
          Mail to these addresses (and to address+anything) becomes cases of {org.name}. One per line; none may be another organization's.
        </p>
        <TextArea
          name="inbound"
          rows={3}
          ariaLabel="Inbound addresses"
          value={typed('inbound', 'inbound', org.inboundAddresses.join('\n'))}
          error={problem('inbound', 'inboundAddresses') ?? problem('inbound', 'inbound')}
        />
        <button type="submit">Save addresses</button>
      </form>
      {page.receiving.map((r) => (
        <ReceivingPanel address={r.address} providers={r.providers} />
      ))}

      <form method="post" action="/admin/organization/domains" class="panel stack" id="domains">
        <h2>Your own domains</h2>
        <p class="muted">
          People writing from these domains are colleagues, never the customer. The domains of your inbound addresses and of your users
          count already.
        </p>
        <TextArea
          name="domains"
          rows={3}
          ariaLabel="Your own domains"
          value={typed('domains', 'domains', org.domains.join('\n'))}
          error={problem('domains', 'domains')}
        />
        <button type="submit">Save domains</button>
      </form>

      <ExecutivesForm page={page} form={form} />

      <SenderForm page={page} form={form} />

      <ApproversForm page={page} error={problem('approvers', 'approvers')} />
    </Layout>
  )
}

/** Whose forwards are the CEO's inbox, in whose voice and name their replies go. */
function ExecutivesForm({ page, form: { problem } }: { page: OrgPage; form: FormState }) {
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
        </tbody>
      </table>
      <button type="submit">Save executives</button>
    </form>
  )
}

/** The From of customer replies, as the customer will see it, and the signature. */
function SenderForm({ page, form: { typed, problem } }: { page: OrgPage; form: FormState }) {
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

function ApproversForm({ page, error }: { page: OrgPage; error?: string }) {
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

function ReceivingPanel({ address, providers }: { address: string; providers: ProviderSetup[] }) {
  return (
    <section class="panel" id={`receiving-${address}`}>
      <h2>Getting mail for {address} into the desk</h2>
      <p class="muted">
        Use one of these. Executives forward complaints to {address}; customers' answers come back to{' '}
        {address.replace('@', '+<case token>@')}.
      </p>
      {providers.map((p) => (
        <details data-provider={p.id}>
          <summary>
            <strong>{p.name}</strong> · <code>{p.endpoint}</code>{' '}
            {p.ready ? null : <span class="warn-text">(not configured on this server)</span>}
          </summary>
          <ol>
            {p.steps.map((s) => (
              <li>{s}</li>
            ))}
          </ol>
          {p.secrets.length ? (
            <p class="muted">Settings: {p.secrets.map((s) => `${s.name} ${s.set ? 'is set' : 'is not set'}`).join(' · ')}</p>
          ) : null}
          {p.example ? <pre class="mail-body">{p.example}</pre> : null}
        </details>
      ))}
    </section>
  )
}

function Field({ label, name, value, error }: { label: string; name: string; value: string; error?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      <input name={name} value={value} aria-invalid={error ? 'true' : undefined} />
      {error ? <span class="field-error">{error}</span> : null}
    </label>
  )
}

function TextArea({
  name,
  label,
  ariaLabel,
  rows,
  value,
  error,
}: {
  name: string
  label?: string
  /** For a field whose heading says what it is: screen readers need the name too. */
  ariaLabel?: string
  rows: number
  value: string
  error?: string
}) {
  return (
    <label class="field">
      {label ? <span>{label}</span> : null}
      <textarea name={name} rows={rows} aria-label={label ? undefined : ariaLabel} aria-invalid={error ? 'true' : undefined}>
        {value}
      </textarea>
      {error ? <span class="field-error">{error}</span> : null}
    </label>
  )
}
