// Seeding with SQL (generate_series) on the owner connection: a million cases in well under a
// minute, with clocks stored the way src/sla/clocks.ts stores them (24/7 calendar, default
// SLA policy, no paused time), so the queue, its counts and its plans see realistic data.
import type { Db } from '../src/db.ts'
import { computeClockColumns } from '../src/sla/clocks.ts'
import { defaultSlaPolicy } from '../src/sla/sla.ts'
import type { Severity } from '../src/cases/terms.ts'

export type SeedOrg = { id: string; slug: string }

/** `count` orgs named `<prefix>-1…n`, each with its own inbound address. */
export async function seedOrgs(db: Db, prefix: string, count: number): Promise<SeedOrg[]> {
  return db<SeedOrg[]>`
    insert into orgs (slug, name, inbound_addresses)
    select ${prefix} || '-' || g, 'Bench org ' || g, array['escalations@' || ${prefix} || g || '.example']
    from generate_series(1, ${count}::int) g
    order by g
    returning id, slug`
}

/** An admin (`admin@<slug>.example`) and `agents` agents; returns their ids, admin first. */
export async function seedUsers(db: Db, orgId: string, slug: string, agents: number): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    insert into app_users (org_id, email, name, role)
    select ${orgId}, case when g = 0 then 'admin@' else 'agent' || g || '@' end || ${slug} || '.example',
           case when g = 0 then 'Bench Admin' else 'Agent ' || g end,
           case when g = 0 then 'admin' else 'agent' end
    from generate_series(0, ${agents}::int) g
    order by g
    returning id`
  return rows.map((r) => r.id)
}

/** Customer accounts (plan, revenue, health) shown in the queue's context column. */
export async function seedAccounts(db: Db, orgId: string, count: number): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    insert into accounts (org_id, domain, name, plan, annual_revenue, health)
    select ${orgId}, 'customer' || g || '.example', 'Customer ' || g,
           (array['starter', 'growth', 'enterprise'])[1 + g % 3], (1000 + (g * 7919) % 500000)::numeric,
           (array['green', 'green', 'amber', 'red'])[1 + g % 4]
    from generate_series(1, ${count}::int) g
    returning id`
  return rows.map((r) => r.id)
}

export type CasePlan = { orgId: string; total: number; open: number }

/**
 * Inserts `total` cases per org, the first `open` of them open (new … in_progress), the rest
 * resolved or closed. Severity 5/15/50/30 % SEV-1..4; open cases opened recently enough that most
 * clocks are ok, some at risk and some breached. `owners` and `accounts` (when given) are drawn
 * from for every org in `plans`, so pass them only with that org's plan.
 */
export async function seedCases(db: Db, plans: CasePlan[], options: { owners?: string[]; accounts?: string[] } = {}): Promise<void> {
  const owners = options.owners ?? []
  const accounts = options.accounts ?? []
  await db`
    with plan as (
      select * from unnest(${plans.map((p) => p.orgId)}::uuid[], ${plans.map((p) => p.total)}::int[], ${plans.map((p) => p.open)}::int[])
        as p(org_id, total, open)
    ),
    drawn as (
      select p.org_id, g as k, g <= p.open as is_open, random() as r_sev, random() as r_status, random() as r_age,
             random() as r_src, random() as r_owner, random() as r_acct, random() as r_reply, random() as r_out
      from plan p cross join lateral generate_series(1, p.total) g
    ),
    shaped as (
      select d.*,
        case when r_sev < 0.05 then 'SEV-1' when r_sev < 0.20 then 'SEV-2' when r_sev < 0.70 then 'SEV-3' else 'SEV-4' end as severity,
        case when not is_open then case when r_status < 0.3 then 'resolved' else 'closed' end
             when r_status < 0.15 then 'new' when r_status < 0.35 then 'triaged' when r_status < 0.45 then 'awaiting_approval'
             when r_status < 0.60 then 'responded' when r_status < 0.75 then 'waiting_customer' else 'in_progress' end as status,
        case when r_src < 0.30 then 'ceo_inbox' when r_src < 0.55 then 'direct' when r_src < 0.70 then 'bbb'
             when r_src < 0.80 then 'lawyer' when r_src < 0.90 then 'social' when r_src < 0.95 then 'regulator' else 'form' end as source
      from drawn d
    ),
    targeted as (
      select s.*, t.fr, t.upd, t.res,
             s.status in ('new', 'triaged', 'awaiting_approval') as awaiting_reply
      from shaped s
      join (values ('SEV-1', 15, 30, 240), ('SEV-2', 60, 120, 480), ('SEV-3', 240, 1440, 2880), ('SEV-4', 1440, null, 10080))
        as t(sev, fr, upd, res) on t.sev = s.severity
    ),
    opened as (
      select t.*,
        date_trunc('milliseconds', now() - case
          when not is_open then interval '30 days' + r_age * interval '365 days'
          -- Not yet answered: opened within 1.4x the first-response target (about 30 % breached).
          when awaiting_reply then r_age * t.fr * 1.4 * interval '1 minute'
          -- Answered: skewed towards recent, within 1.2x the resolution target.
          else r_age * r_age * t.res * 1.2 * interval '1 minute' end) as opened_at
      from targeted t
    ),
    answered as (
      select o.*,
        case when awaiting_reply then null
             else date_trunc('milliseconds', least(now(), o.opened_at + r_reply * o.fr * 1.2 * interval '1 minute')) end as first_response_at
      from opened o
    ),
    replied as (
      select a.*,
        case when first_response_at is null then null
             else date_trunc('milliseconds', first_response_at + (now() - first_response_at) * r_out * 0.8) end as last_outbound_at
      from answered a
    ),
    clocked as (
      select r.*,
        r.opened_at + r.fr * interval '1 minute' as fr_due,
        r.opened_at + r.fr * interval '1 minute' - least(greatest(r.fr / 4.0, 60), r.fr / 2.0) * interval '1 minute' as fr_risk,
        r.opened_at + r.res * interval '1 minute' as res_due,
        r.opened_at + r.res * interval '1 minute' - least(greatest(r.res / 4.0, 60), r.res / 2.0) * interval '1 minute' as res_risk,
        case when is_open and r.status <> 'waiting_customer' and r.last_outbound_at is not null and r.upd is not null
             then r.last_outbound_at + r.upd * interval '1 minute' end as upd_due,
        case when r.status = 'waiting_customer' then r.last_outbound_at end as paused_at
      from replied r
    )
    insert into cases (
      org_id, number, source, customer_email, customer_name, subject, summary, severity, severity_reasons,
      external_ref, owner_id, owner_assigned_at, status, reply_token, opened_at, first_response_at, last_outbound_at,
      resolution_paused_at, resolved_at, closed_at, first_response_due_at, first_response_at_risk_at,
      resolution_due_at, resolution_at_risk_at, next_update_due_at, next_update_at_risk_at,
      next_deadline_at, next_at_risk_at, account_id, created_at, updated_at)
    select
      c.org_id, 1000 + c.k, c.source, 'customer' || (c.k % 7919) || '@customer' || (c.k % 500 + 1) || '.example',
      'Customer ' || (c.k % 7919), 'Complaint about order #' || c.k,
      'The customer writes about order #' || c.k || ': delivery late, refund refused, escalating to the CEO.',
      c.severity, array['seeded by bench'],
      case when c.source in ('bbb', 'lawyer') then upper(c.source) || '-' || c.k end,
      case when c.status = 'new' or cardinality(${owners}::uuid[]) = 0 then null
           else (${owners}::uuid[])[1 + floor(c.r_owner * cardinality(${owners}::uuid[]))::int] end,
      case when c.status = 'new' or cardinality(${owners}::uuid[]) = 0 then null else c.opened_at end,
      c.status, md5(c.org_id::text || ':' || c.k), c.opened_at, c.first_response_at, c.last_outbound_at,
      c.paused_at,
      case when not c.is_open then c.opened_at + c.r_reply * c.res * interval '1 minute' end,
      case when c.status = 'closed' then c.opened_at + c.r_reply * c.res * interval '1 minute' + interval '3 days' end,
      c.fr_due, c.fr_risk, c.res_due, c.res_risk, c.upd_due,
      c.upd_due - least(greatest(c.upd / 4.0, 60), c.upd / 2.0) * interval '1 minute',
      -- clocks.ts: only running clocks feed the queue's order (least() skips nulls).
      case when c.is_open then least(
        case when c.first_response_at is null then c.fr_due end,
        case when c.paused_at is null then c.res_due end,
        c.upd_due) end,
      case when c.is_open then least(
        case when c.first_response_at is null then c.fr_risk end,
        case when c.paused_at is null then c.res_risk end,
        c.upd_due - least(greatest(c.upd / 4.0, 60), c.upd / 2.0) * interval '1 minute') end,
      case when cardinality(${accounts}::uuid[]) > 0 and c.r_acct < 0.6
           then (${accounts}::uuid[])[1 + floor(c.r_acct / 0.6 * cardinality(${accounts}::uuid[]))::int] end,
      c.opened_at, now()
    from clocked c`
  await db`
    insert into org_case_numbers (org_id, next_case_number)
    select p.org_id, 1001 + p.total
    from unnest(${plans.map((p) => p.orgId)}::uuid[], ${plans.map((p) => p.total)}::int[]) as p(org_id, total)
    on conflict (org_id) do update set next_case_number = excluded.next_case_number`
}

type StoredClocks = {
  openedAt: Date
  severity: Severity
  status: string
  firstResponseAt: Date | null
  lastOutboundAt: Date | null
  resolutionPausedAt: Date | null
  resolutionPausedSeconds: number
  firstResponseDueAt: Date | null
  resolutionDueAt: Date | null
  nextUpdateDueAt: Date | null
  nextDeadlineAt: Date | null
  nextAtRiskAt: Date | null
}

/**
 * Recomputes a random sample of seeded cases with clocks.ts and counts disagreements with what
 * the SQL stored: the seed must mean what the application means.
 */
export async function checkSeededClocks(db: Db, orgId: string, sample = 500): Promise<number> {
  const rows = await db<StoredClocks[]>`
    select opened_at as "openedAt", severity, status, first_response_at as "firstResponseAt", last_outbound_at as "lastOutboundAt",
           resolution_paused_at as "resolutionPausedAt", resolution_paused_seconds as "resolutionPausedSeconds",
           first_response_due_at as "firstResponseDueAt", resolution_due_at as "resolutionDueAt", next_update_due_at as "nextUpdateDueAt",
           next_deadline_at as "nextDeadlineAt", next_at_risk_at as "nextAtRiskAt"
    from cases tablesample system (5) where org_id = ${orgId} limit ${sample}`
  const same = (a: Date | null, b: Date | null) => (a === null || b === null ? a === b : a.getTime() === b.getTime())
  let mismatches = 0
  for (const row of rows) {
    const expected = computeClockColumns(row, { policy: defaultSlaPolicy, calendar: null })
    const agrees =
      same(expected.firstResponseDueAt, row.firstResponseDueAt) &&
      same(expected.resolutionDueAt, row.resolutionDueAt) &&
      same(expected.nextUpdateDueAt, row.nextUpdateDueAt) &&
      same(expected.nextDeadlineAt, row.nextDeadlineAt) &&
      same(expected.nextAtRiskAt, row.nextAtRiskAt)
    if (!agrees) mismatches++
  }
  return mismatches
}

/**
 * seedCases for many orgs at once, fast: `plans` in slices of `sliceSize` orgs, `workers` slices
 * at a time. The search documents (case_search, sql/00023) are written per slice in one
 * statement, by the same functions as the per-row trigger, which is off meanwhile: that trigger
 * alone was three quarters of the seed's time. Owner connection only (it alters the table), on a
 * bench's own database.
 */
export async function seedCasesBulk(db: Db, plans: CasePlan[], options: { sliceSize?: number; workers?: number } = {}): Promise<void> {
  const size = options.sliceSize ?? 50
  const slices = Array.from({ length: Math.ceil(plans.length / size) }, (_, i) => plans.slice(i * size, i * size + size))
  await db`alter table cases disable trigger cases_search`
  try {
    const next = async () => {
      for (let slice = slices.shift(); slice; slice = slices.shift()) {
        await seedCases(db, slice)
        await db`
          insert into case_search (case_id, org_id, opened_at, head, body)
          select c.id, c.org_id, c.opened_at, case_search_head(c), case_search_body(c.id)
          from cases c
          where c.org_id = any(${slice.map((p) => p.orgId)}::uuid[]) and not exists (select 1 from case_search s where s.case_id = c.id)`
      }
    }
    await Promise.all(Array.from({ length: options.workers ?? 2 }, next))
  } finally {
    await db`alter table cases enable trigger cases_search`
  }
}
