import type { OrgPage, Section } from '../../src/orgs/organization-page.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'
import { Field, TextArea, type FormState } from '../organization/fields.tsx'
import { ApproversForm, ExecutivesForm, SenderForm } from '../organization/forms.tsx'
import { ReceivingPanel } from '../organization/receiving.tsx'

type Props = {
  page: OrgPage
  notice?: string
  /** The section whose form was refused, with what was typed and the problems by field. */
  section?: Section
  errors?: Record<string, string>
  values?: Record<string, unknown>
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

      <ProfileForm page={page} form={form} />

      <section class="panel" id="users">
        <h2>People</h2>
        <p>
          {page.activeUsers} active user{page.activeUsers === 1 ? '' : 's'}.{' '}
          <a href="/admin/users">Invite someone, change roles, disable</a>: an invitation is an email with a single-use sign-in link.
        </p>
      </section>

      <InboundForm page={page} form={form} />
      {page.receiving.map((r) => (
        <ReceivingPanel address={r.address} providers={r.providers} />
      ))}

      <DomainsForm page={page} form={form} />

      <ExecutivesForm page={page} form={form} />

      <SenderForm page={page} form={form} />

      <ApproversForm page={page} error={problem('approvers', 'approvers')} />
    </Layout>
  )
}

function ProfileForm({ page, form: { typed, problem } }: { page: OrgPage; form: FormState }) {
  const { org } = page
  return (
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
  )
}

function InboundForm({ page, form: { typed, problem } }: { page: OrgPage; form: FormState }) {
  const { org } = page
  return (
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
  )
}

/** The org's own domains: people writing from them are colleagues, never the customer. */
function DomainsForm({ page, form: { typed, problem } }: { page: OrgPage; form: FormState }) {
  const { org } = page
  return (
    <form method="post" action="/admin/organization/domains" class="panel stack" id="domains">
      <h2>Your own domains</h2>
      <p class="muted">
        People writing from these domains are colleagues, never the customer. The domains of your inbound addresses and of your users count
        already.
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
  )
}
