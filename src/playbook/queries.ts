import type { DbOrTx, Tx } from '../db.ts'
import type { HouseKind } from './template-fields.ts'

// The playbook's own rows (sql/00036): monthly ticket counts and the team's template versions.
// Every function runs inside withOrg: row-level security scopes it to the org.

export type TicketCount = { month: string; tickets: number; updatedAt: Date; updatedByName: string | null }

/** Newest month first. `month` is 'YYYY-MM'. */
export async function listTicketCounts(db: DbOrTx, limit = 36): Promise<TicketCount[]> {
  return db<TicketCount[]>`
    select to_char(t.month, 'YYYY-MM') as month, t.tickets, t.updated_at as "updatedAt",
           coalesce(nullif(u.name, ''), u.email) as "updatedByName"
    from ticket_counts t left join app_users u on u.id = t.updated_by
    order by t.month desc limit ${limit}`
}

/** Sets the months' counts; returns each month's earlier count (null: it had none). */
export async function upsertTicketCounts(
  tx: Tx,
  orgId: string,
  userId: string,
  rows: { month: string; tickets: number }[],
): Promise<{ month: string; tickets: number; before: number | null }[]> {
  if (!rows.length) return []
  return tx<{ month: string; tickets: number; before: number | null }[]>`
    with input as (
      select (m || '-01')::date as month, n as tickets
      from unnest(${rows.map((r) => r.month)}::text[], ${rows.map((r) => r.tickets)}::int[]) as x(m, n)
    ),
    earlier as (select t.month, t.tickets from ticket_counts t join input i on i.month = t.month),
    saved as (
      insert into ticket_counts (org_id, month, tickets, updated_by)
      select ${orgId}, month, tickets, ${userId} from input
      on conflict (org_id, month) do update set tickets = excluded.tickets, updated_by = excluded.updated_by, updated_at = now()
      returning month, tickets
    )
    select to_char(s.month, 'YYYY-MM') as month, s.tickets, e.tickets as before
    from saved s left join earlier e on e.month = s.month order by s.month`
}

export type TemplateVersion = {
  id: string
  kind: HouseKind
  version: number
  body: string
  createdAt: Date
  createdByName: string | null
}

/** The version in use of each kind the org has edited (the highest). */
export async function listCurrentTemplates(db: DbOrTx): Promise<TemplateVersion[]> {
  return db<TemplateVersion[]>`
    select distinct on (t.kind) t.id, t.kind, t.version, t.body, t.created_at as "createdAt",
           coalesce(nullif(u.name, ''), u.email) as "createdByName"
    from org_templates t left join app_users u on u.id = t.created_by
    order by t.kind, t.version desc`
}

/** Every version of one kind, newest first. */
export async function listTemplateVersions(db: DbOrTx, kind: HouseKind, limit = 50): Promise<TemplateVersion[]> {
  return db<TemplateVersion[]>`
    select t.id, t.kind, t.version, t.body, t.created_at as "createdAt", coalesce(nullif(u.name, ''), u.email) as "createdByName"
    from org_templates t left join app_users u on u.id = t.created_by
    where t.kind = ${kind} order by t.version desc limit ${limit}`
}

/**
 * The next version of a kind. The caller holds the org's row lock, so two saves cannot take the
 * same number (the unique key would refuse the second anyway).
 */
export async function insertTemplateVersion(tx: Tx, orgId: string, kind: HouseKind, body: string, userId: string): Promise<number> {
  const [row] = await tx<{ version: number }[]>`
    insert into org_templates (org_id, kind, version, body, created_by)
    select ${orgId}, ${kind}, coalesce(max(version), 0) + 1, ${body}, ${userId} from org_templates where kind = ${kind}
    returning version`
  return row!.version
}
