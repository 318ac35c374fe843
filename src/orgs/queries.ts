import type { DbOrTx } from '../db.ts'

export type Org = {
  id: string
  slug: string
  name: string
  timezone: string
  inboundAddresses: string[]
}

const orgColumns = (db: DbOrTx) => db`id, slug, name, timezone, inbound_addresses as "inboundAddresses"`

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

export type NewOrg = {
  slug: string
  name: string
  timezone?: string
  inboundAddresses?: string[]
  domains?: string[]
  /** Addresses whose forwards count as the CEO's inbox (org_executives, with no name yet). */
  executiveForwarders?: string[]
}

/** The org and its executives in one statement (owner only: desk_app cannot add orgs). */
export async function insertOrg(db: DbOrTx, org: NewOrg): Promise<Org> {
  const executives = [...new Set((org.executiveForwarders ?? []).map((e) => e.trim().toLowerCase()))]
  const [row]: [Org?] = await db`
    with created as (
      insert into orgs (slug, name, timezone, inbound_addresses, domains)
      values (${org.slug}, ${org.name}, ${org.timezone ?? 'UTC'}, ${org.inboundAddresses ?? []}, ${org.domains ?? []})
      returning *
    ), executives as (
      insert into org_executives (org_id, email) select created.id, e from created, unnest(${executives}::text[]) e
    )
    select ${orgColumns(db)} from created`
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

/** What the organization page and `desk org` show and change (org-scoped, or the owner's). */
export type OrgProfile = Org & { domains: string[]; replyFrom: string | null; createdAt: Date }

export async function findOrgProfile(db: DbOrTx, orgId: string, options: { lock?: boolean } = {}): Promise<OrgProfile | undefined> {
  const [row]: [OrgProfile?] = await db`
    select ${orgColumns(db)}, domains, reply_from as "replyFrom", created_at as "createdAt"
    from orgs where id = ${orgId} ${options.lock ? db`for update` : db``}`
  return row
}

export type OrgColumns = Partial<{
  name: string
  timezone: string
  inboundAddresses: string[]
  domains: string[]
  replyFrom: string | null
}>

export async function updateOrgColumns(db: DbOrTx, orgId: string, changes: OrgColumns): Promise<void> {
  const columns = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.timezone !== undefined ? { timezone: changes.timezone } : {}),
    ...(changes.inboundAddresses !== undefined ? { inbound_addresses: changes.inboundAddresses } : {}),
    ...(changes.domains !== undefined ? { domains: changes.domains } : {}),
    ...(changes.replyFrom !== undefined ? { reply_from: changes.replyFrom } : {}),
  }
  if (Object.keys(columns).length === 0) return
  await db`update orgs set ${db(columns)} where id = ${orgId}`
}

export type OrgSummary = {
  slug: string
  name: string
  timezone: string
  inboundAddresses: string[]
  executives: string[]
  users: number
  createdAt: Date
}

/** Every organization (owner only: the CLI's `desk org list`). */
export async function listOrgSummaries(db: DbOrTx): Promise<OrgSummary[]> {
  return db<OrgSummary[]>`
    select o.slug, o.name, o.timezone, o.inbound_addresses as "inboundAddresses",
           coalesce((select array_agg(e.email order by e.email) from org_executives e where e.org_id = o.id), '{}') as executives,
           (select count(*)::int from app_users u where u.org_id = o.id and u.disabled_at is null) as users,
           o.created_at as "createdAt"
    from orgs o order by o.slug`
}

/**
 * Orgs other than `exceptOrgId` that receive mail at any of these addresses, plus-addressing
 * understood on both sides (escalations+x@ is escalations@). Owner-level: the answer spans
 * organizations, which no org's own transaction can see.
 */
export async function findInboundAddressOwners(db: DbOrTx, baseAddresses: string[], exceptOrgId: string | null) {
  return db<{ address: string; slug: string; name: string }[]>`
    select a as address, o.slug, o.name
    from orgs o cross join unnest(o.inbound_addresses) as a
    where o.id is distinct from ${exceptOrgId}::uuid
      and regexp_replace(lower(a), '^([^+@]+)\\+[^@]*@', '\\1@') = any(${baseAddresses}::text[])
    order by o.slug, a`
}
