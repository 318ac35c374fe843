import { recordAudit, type Actor } from '../audit/audit.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { baseAddress } from '../intake/routing.ts'
import { businessCalendarSchema } from '../sla/business-hours.ts'
import { recomputeOpenCases } from '../sla/clocks.ts'
import { listExecutives, replaceExecutives, type OrgExecutive } from './executives.ts'
import {
  findInboundAddressOwners,
  findOrgBySlug,
  findOrgProfile,
  insertOrg,
  insertUser,
  updateOrgColumns,
  type Org,
  type OrgColumns,
  type OrgProfile,
} from './queries.ts'

// Creating and changing an organization: the rules `desk org` and the organization page share.
// Values arrive checked (src/orgs/addresses.ts); what needs the database is checked here: a slug
// that exists, an address another org already receives mail at. Every change is one audit event
// with what was before and what is after.

export type Refusal = { ok: false; field: string; problem: string }

export type NewOrganization = { slug: string; name: string; timezone: string; inboundAddresses: string[]; adminEmail: string }

/** The org and its first admin, in one transaction of the owner (nobody can act as an admin yet). */
export async function createOrganization(
  db: Db,
  input: NewOrganization,
  actor: Actor,
): Promise<{ ok: true; org: Org; adminId: string } | Refusal> {
  if (await findOrgBySlug(db, input.slug))
    return { ok: false, field: 'slug', problem: `an organization with slug "${input.slug}" already exists` }
  const taken = await inboundConflict(db, input.inboundAddresses, null, { nameOwner: true })
  if (taken) return taken
  return (await db.begin(async (tx) => {
    const org = await insertOrg(tx, {
      slug: input.slug,
      name: input.name,
      timezone: input.timezone,
      inboundAddresses: input.inboundAddresses,
    })
    const admin = await insertUser(tx, org.id, { email: input.adminEmail, name: '', role: 'admin' })
    await recordAudit(tx, org.id, {
      actor,
      action: 'org.create',
      details: { slug: org.slug, name: org.name, timezone: org.timezone, inboundAddresses: org.inboundAddresses, admin: input.adminEmail },
    })
    return { ok: true as const, org, adminId: admin.id }
  })) as { ok: true; org: Org; adminId: string }
}

/** An executive as given: fields left out keep what the org already has for that address. */
export type ExecutiveInput = { email: string } & Partial<Omit<OrgExecutive, 'email'>>

export type OrgChanges = OrgColumns & { executives?: ExecutiveInput[] }

export type ChangeResult = { ok: true; changed: string[] } | Refusal

/**
 * Applies the changes that differ from what the org has, audited as one `org.update` event.
 * `nameOwner`: say which org already receives at an address (the CLI, run by whoever runs the
 * desk); a page for one org's admin only says that another does.
 */
export async function changeOrganization(
  db: Db,
  orgId: string,
  changes: OrgChanges,
  actor: Actor,
  options: { nameOwner?: boolean } = {},
): Promise<ChangeResult> {
  if (changes.inboundAddresses) {
    const taken = await inboundConflict(db, changes.inboundAddresses, orgId, { nameOwner: options.nameOwner ?? false })
    if (taken) return taken
  }
  return withOrg(db, orgId, async (tx): Promise<ChangeResult> => {
    const before = await findOrgProfile(tx, orgId, { lock: true })
    if (!before) return { ok: false, field: 'org', problem: 'no such organization' }
    const beforeExecutives = (await listExecutives(tx)).sort(byEmail)
    const columns = changedColumns(before, changes)
    const executives = changes.executives ? mergeExecutives(beforeExecutives, changes.executives) : null
    const executivesChanged = executives !== null && JSON.stringify(executives) !== JSON.stringify(beforeExecutives)
    const changed = [...Object.keys(columns), ...(executivesChanged ? ['executives'] : [])]
    if (changed.length === 0) return { ok: true, changed }

    await updateOrgColumns(tx, orgId, columns)
    if (executivesChanged) await replaceExecutives(tx, orgId, executives!)
    const recomputed = columns.timezone ? await moveCalendarTimeZone(tx, orgId, columns.timezone) : 0
    await recordAudit(tx, orgId, {
      actor,
      action: 'org.update',
      details: {
        changed,
        before: { ...pick(before, Object.keys(columns)), ...(executivesChanged ? { executives: beforeExecutives } : {}) },
        after: { ...columns, ...(executivesChanged ? { executives } : {}) },
        ...(recomputed ? { recomputedCases: recomputed } : {}),
      },
    })
    return { ok: true, changed }
  })
}

async function inboundConflict(
  db: Db,
  addresses: string[],
  orgId: string | null,
  options: { nameOwner: boolean },
): Promise<Refusal | null> {
  const [owner] = await findInboundAddressOwners(db, addresses.map(baseAddress), orgId)
  if (!owner) return null
  const who = options.nameOwner ? `organization "${owner.slug}" (${owner.name})` : 'another organization'
  return {
    ok: false,
    field: 'inboundAddresses',
    problem: `${owner.address} is already an inbound address of ${who}; each address routes to one organization`,
  }
}

function changedColumns(before: OrgProfile, changes: OrgColumns): OrgColumns {
  const out: Record<string, unknown> = {}
  for (const key of ['name', 'timezone', 'inboundAddresses', 'domains', 'replyFrom'] as const) {
    const next = changes[key]
    if (next !== undefined && JSON.stringify(next) !== JSON.stringify(before[key])) out[key] = next
  }
  return out as OrgColumns
}

const pick = (o: object, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)))

/** The new list in the order given, each keeping the name, title and send-as it had unless given anew. */
function mergeExecutives(existing: OrgExecutive[], given: ExecutiveInput[]): OrgExecutive[] {
  const seen = new Set<string>()
  return given
    .filter((e) => !seen.has(e.email) && seen.add(e.email))
    .map((e) => {
      const old = existing.find((x) => x.email === e.email)
      return {
        email: e.email,
        name: e.name ?? old?.name ?? '',
        title: e.title ?? old?.title ?? '',
        sendAs: e.sendAs ?? old?.sendAs ?? false,
      }
    })
    .sort(byEmail)
}

const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)

/**
 * A business calendar counts its hours in the org's time zone: moving the zone moves the
 * calendar with it, and the open cases' deadlines are recomputed in the same transaction.
 */
async function moveCalendarTimeZone(tx: Tx, orgId: string, timezone: string): Promise<number> {
  const [row] = await tx<{ calendar: unknown }[]>`select business_calendar as calendar from orgs where id = ${orgId}`
  if (!row?.calendar) return 0
  const calendar = businessCalendarSchema.parse({ ...(row.calendar as object), timezone })
  await tx`update orgs set business_calendar = ${tx.json(calendar as never)} where id = ${orgId}`
  return recomputeOpenCases(tx, orgId)
}
