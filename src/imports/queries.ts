import type { DbOrTx, Tx } from '../db.ts'
import type { AccountRow } from './csv-rows.ts'
import type { ImportKind, PreviewData } from './types.ts'

export type RunStage = 'previewed' | 'running' | 'done' | 'failed' | 'expired'

/** One upload as stored: what the preview showed and how the run went (never the file itself). */
export type StoredRun = {
  id: string
  kind: ImportKind
  state: RunStage
  fileName: string
  preview: PreviewData
  startedAt: Date | null
  report: unknown
  message: string | null
}

const runColumns = (db: DbOrTx) => db`
  id::text as id, kind, state, file_name as "fileName", preview, started_at as "startedAt", report, message`

/** Previews nobody ran within a day lose their file. */
export async function expireStalePreviews(tx: Tx): Promise<void> {
  await tx`
    update import_runs set state = 'expired', csv = null, finished_at = now()
    where state = 'previewed' and created_at < now() - interval '1 day'`
}

export async function insertImportRun(
  tx: Tx,
  run: { orgId: string; kind: ImportKind; fileName: string; preview: PreviewData; csv: string; createdBy: string },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into import_runs (org_id, kind, file_name, preview, csv, created_by)
    values (${run.orgId}, ${run.kind}, ${run.fileName}, ${tx.json(run.preview as never)}, ${run.csv}, ${run.createdBy})
    returning id::text as id`
  return row!.id
}

export async function findImportRun(db: DbOrTx, id: string): Promise<StoredRun | undefined> {
  const [row]: [StoredRun?] = await db`select ${runColumns(db)} from import_runs where id = ${id}`
  return row
}

/** The run under a row lock, so two clicks on "Import" start one import. */
export async function lockImportRun(tx: Tx, id: string): Promise<StoredRun | undefined> {
  const [row]: [StoredRun?] = await tx`select ${runColumns(tx)} from import_runs where id = ${id} for update`
  return row
}

/** Marks the run started and hands back the stored file (null if it is gone). */
export async function markImportStarted(tx: Tx, id: string, startedBy: string, allowPartial: boolean): Promise<string | null> {
  const [row] = await tx<{ csv: string | null }[]>`
    update import_runs set state = 'running', started_at = now(), started_by = ${startedBy}, allow_partial = ${allowPartial}
    where id = ${id} returning csv`
  return row?.csv ?? null
}

/** The run's end: its report (or why it failed) stays, the file goes. */
export async function finishImportRun(
  tx: Tx,
  id: string,
  outcome: { state: 'done' | 'failed'; report?: unknown; message?: string },
): Promise<void> {
  await tx`
    update import_runs set state = ${outcome.state}, report = ${outcome.report === undefined ? null : tx.json(outcome.report as never)},
      message = ${outcome.message ?? null}, csv = null, finished_at = now()
    where id = ${id}`
}

/**
 * Cases an import already made from these rows (by fingerprint), or that hold these references.
 * One index probe per key (a lateral lookup), not `import_key = any(…) or external_ref = any(…)`:
 * inside an import's transaction the table has no statistics for the rows it just took, the
 * planner thinks the org holds a few dozen cases and scans all of them for every batch, so a
 * 50,000-row import slowed down as it went (4 ms a batch at the start, 30 ms at 30,000 rows).
 */
export async function findImportedCases(
  tx: Tx,
  keys: string[],
  refs: string[],
): Promise<{ importKey: string | null; externalRef: string | null }[]> {
  return tx<{ importKey: string | null; externalRef: string | null }[]>`
    select c.* from unnest(${keys}::text[]) as k(key)
      cross join lateral (select import_key as "importKey", external_ref as "externalRef" from cases where import_key = k.key limit 1) c
    union all
    select c.* from unnest(${refs}::text[]) as r(ref)
      cross join lateral (select import_key as "importKey", external_ref as "externalRef" from cases where external_ref = r.ref limit 1) c`
}

/** Who an owner cell can name: the org's active users. */
export async function activeTeam(db: DbOrTx): Promise<{ id: string; email: string; name: string }[]> {
  return db<
    { id: string; email: string; name: string }[]
  >`select id, email, name from app_users where disabled_at is null order by name, email`
}

export type ImportedMessage = { caseId: string; fromEmail: string | null; fromName: string | null; subject: string; text: string; at: Date }

/** Each imported case's first message: the row's text, as the customer's mail that opened it. */
export async function insertImportedMessages(tx: Tx, orgId: string, messages: ImportedMessage[]): Promise<void> {
  if (messages.length === 0) return
  const rows = messages.map((m) => ({
    org_id: orgId,
    case_id: m.caseId,
    direction: 'inbound',
    from_email: m.fromEmail,
    from_name: m.fromName,
    subject: m.subject,
    text_body: m.text,
    created_at: m.at,
  }))
  await tx`insert into messages ${tx(rows, 'org_id', 'case_id', 'direction', 'from_email', 'from_name', 'subject', 'text_body', 'created_at')}`
}

export type RunCase = {
  id: string
  number: number
  subject: string
  severity: string
  status: string
  source: string
  ownerName: string | null
  draft: 'ready' | 'queued' | 'none'
}

/** The cases one import run made, in number order (the first `limit`), and how many in all. */
export async function listRunCases(db: DbOrTx, runId: string, limit = 500): Promise<{ cases: RunCase[]; total: number }> {
  const cases = await db<RunCase[]>`
    select c.id, c.number, c.subject, c.severity, c.status, c.source, coalesce(nullif(u.name, ''), u.email) as "ownerName",
           case when exists (select 1 from drafts d where d.case_id = c.id) then 'ready'
                when exists (select 1 from jobs j where j.kind = 'draft' and j.payload->>'caseId' = c.id::text and j.done_at is null and j.failed_at is null) then 'queued'
                else 'none' end as draft
    from cases c left join app_users u on u.id = c.owner_id
    where c.import_run_id = ${runId} order by c.number limit ${limit}`
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from cases where import_run_id = ${runId}`
  return { cases, total: row!.n }
}

/** Keeps the mapping and options the run starts with (the preview's, as confirmed). */
export async function saveRunOptions(tx: Tx, id: string, options: Record<string, unknown>): Promise<void> {
  await tx`update import_runs set options = ${tx.json(options as never)} where id = ${id}`
}

/** A new dry run's findings for a previewed upload (the person changed the mapping). */
export async function updateRunPreview(tx: Tx, id: string, preview: PreviewData): Promise<boolean> {
  const rows = await tx`update import_runs set preview = ${tx.json(preview as never)} where id = ${id} and state = 'previewed' returning id`
  return rows.length === 1
}

/** The stored file of a previewed upload (null once it ran or expired). */
export async function findRunCsv(tx: Tx, id: string): Promise<string | null> {
  const [row] = await tx<{ csv: string | null }[]>`select csv from import_runs where id = ${id} and state = 'previewed'`
  return row?.csv ?? null
}

/** Re-importing updates an account in place, by its domain. */
export async function upsertAccount(tx: Tx, orgId: string, row: AccountRow): Promise<void> {
  await tx`
    insert into accounts (org_id, domain, name, plan, annual_revenue, health)
    values (${orgId}, ${row.domain}, ${row.name ?? ''}, ${row.plan}, ${row.annualRevenue}, ${row.health})
    on conflict (org_id, domain) do update set name = excluded.name, plan = excluded.plan,
      annual_revenue = excluded.annual_revenue, health = excluded.health, updated_at = now()`
}
