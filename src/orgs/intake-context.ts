import type { DbOrTx } from '../db.ts'
import { orgContext, type Executive, type OrgContext } from '../intake/org-context.ts'

type ContextRow = {
  name: string
  inboundAddresses: string[]
  domains: string[]
  team: string[]
  executives: { email: string; name: string; title: string }[]
}

/**
 * What intake knows about one org, in one statement: its inbound addresses, its own domains
 * (configured, plus those of its inbound addresses and users: orgContext adds them), every
 * user's address (disabled ones too: a former colleague is still no customer) and the
 * executives with their names and titles. Run it in the org's transaction.
 */
export async function loadIntakeContext(db: DbOrTx, orgId: string): Promise<OrgContext> {
  const [row]: [ContextRow?] = await db`
    select o.name, o.inbound_addresses as "inboundAddresses", o.domains,
           coalesce((select array_agg(u.email order by u.email) from app_users u where u.org_id = o.id), '{}') as team,
           coalesce((select jsonb_agg(jsonb_build_object('email', e.email, 'name', e.name, 'title', e.title) order by e.email)
                     from org_executives e where e.org_id = o.id), '[]') as executives
    from orgs o where o.id = ${orgId}`
  if (!row) return orgContext()
  return orgContext({
    name: row.name,
    inboundAddresses: row.inboundAddresses,
    domains: row.domains,
    teamAddresses: row.team,
    executives: row.executives.map(executiveOf),
  })
}

// Empty name and title are unknown, not blank values: intake then reads them from the mail.
const executiveOf = (e: ContextRow['executives'][number]): Executive => ({
  email: e.email,
  ...(e.name ? { name: e.name } : {}),
  ...(e.title ? { title: e.title } : {}),
})
