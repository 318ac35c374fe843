import type { DbOrTx } from '../db.ts'

export type Org = {
  id: string
  slug: string
  name: string
  timezone: string
  inboundAddresses: string[]
  executiveForwarders: string[]
}

const orgColumns = (db: DbOrTx) =>
  db`id, slug, name, timezone, inbound_addresses as "inboundAddresses", executive_forwarders as "executiveForwarders"`

/** System lookup (runs as the owner, before any org is known), e.g. for `--org SLUG`. */
export async function findOrgBySlug(db: DbOrTx, slug: string): Promise<Org | undefined> {
  const [org]: [Org?] = await db`select ${orgColumns(db)} from orgs where slug = ${slug}`
  return org
}

export async function findOrgById(db: DbOrTx, id: string): Promise<Org | undefined> {
  const [org]: [Org?] = await db`select ${orgColumns(db)} from orgs where id = ${id}`
  return org
}

/** The org's settings document (features keep their own keys in it); {} when it has none. */
export async function findOrgSettings(db: DbOrTx, orgId: string): Promise<Record<string, unknown>> {
  const [row] = await db<{ settings: Record<string, unknown> | null }[]>`select settings from orgs where id = ${orgId}`
  return row?.settings ?? {}
}

/** Sets some keys of the org's settings, keeping every other feature's. */
export async function mergeOrgSettings(db: DbOrTx, orgId: string, keys: Record<string, unknown>): Promise<void> {
  await db`update orgs set settings = settings || ${db.json(keys as never)} where id = ${orgId}`
}

export async function countOrgs(db: DbOrTx): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from orgs`
  return row!.n
}

export type NewOrg = { slug: string; name: string; timezone?: string; inboundAddresses?: string[]; executiveForwarders?: string[] }

export async function insertOrg(db: DbOrTx, org: NewOrg): Promise<Org> {
  const [row]: [Org?] = await db`
    insert into orgs (slug, name, timezone, inbound_addresses, executive_forwarders)
    values (${org.slug}, ${org.name}, ${org.timezone ?? 'UTC'}, ${org.inboundAddresses ?? []}, ${org.executiveForwarders ?? []})
    returning ${orgColumns(db)}`
  return row!
}

export type UserRole = 'agent' | 'approver' | 'admin'

export async function insertUser(db: DbOrTx, orgId: string, user: { email: string; name: string; role: UserRole }) {
  const [row]: [{ id: string }?] = await db`
    insert into app_users (org_id, email, name, role)
    values (${orgId}, ${user.email.toLowerCase()}, ${user.name}, ${user.role})
    returning id`
  return row!
}

/**
 * Four eyes per org: the severities at which one person may write and approve a reply, and the
 * sources that always need a second approver whatever the severity.
 */
export type ApprovalPolicy = { selfApprovalSeverities: string[]; fourEyesSources: string[] }

export async function loadApprovalPolicy(db: DbOrTx, orgId: string): Promise<ApprovalPolicy> {
  const [row] = await db<ApprovalPolicy[]>`
    select self_approval_severities as "selfApprovalSeverities", four_eyes_sources as "fourEyesSources" from orgs where id = ${orgId}`
  return row ?? { selfApprovalSeverities: [], fourEyesSources: [] }
}

/**
 * Through set_approval_policy(): the application role cannot write these columns, and the
 * function checks that an active admin acts and audits the change. False when nothing changed.
 */
export async function saveApprovalPolicy(db: DbOrTx, actorId: string, policy: ApprovalPolicy): Promise<boolean> {
  const [row] = await db<{ changed: boolean }[]>`
    select set_approval_policy(${actorId}, ${policy.selfApprovalSeverities}::text[], ${policy.fourEyesSources}::text[]) as changed`
  return row!.changed
}
