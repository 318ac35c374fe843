import type { Q } from '../db.ts'

export type Org = {
  id: string
  slug: string
  name: string
  timezone: string
  inboundAddresses: string[]
  executiveForwarders: string[]
}

const orgColumns = (db: Q) =>
  db`id, slug, name, timezone, inbound_addresses as "inboundAddresses", executive_forwarders as "executiveForwarders"`

/** System lookup (runs as the owner, before any org is known), e.g. for `--org SLUG`. */
export async function findOrgBySlug(db: Q, slug: string): Promise<Org | undefined> {
  const [org]: [Org?] = await db`select ${orgColumns(db)} from orgs where slug = ${slug}`
  return org
}

export async function countOrgs(db: Q): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from orgs`
  return row!.n
}

export type NewOrg = { slug: string; name: string; timezone?: string; inboundAddresses?: string[]; executiveForwarders?: string[] }

export async function insertOrg(db: Q, org: NewOrg): Promise<Org> {
  const [row]: [Org?] = await db`
    insert into orgs (slug, name, timezone, inbound_addresses, executive_forwarders)
    values (${org.slug}, ${org.name}, ${org.timezone ?? 'UTC'}, ${org.inboundAddresses ?? []}, ${org.executiveForwarders ?? []})
    returning ${orgColumns(db)}`
  return row!
}

export type UserRole = 'agent' | 'approver' | 'admin'

export async function insertUser(db: Q, orgId: string, user: { email: string; name: string; role: UserRole }) {
  const [row]: [{ id: string }?] = await db`
    insert into app_users (org_id, email, name, role)
    values (${orgId}, ${user.email.toLowerCase()}, ${user.name}, ${user.role})
    returning id`
  return row!
}
