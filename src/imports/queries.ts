import type { DbOrTx, Tx } from '../db.ts'
import type { AccountRow } from './csv-rows.ts'
import type { PreviewData } from './preview.ts'

export type ImportKind = 'cases' | 'accounts'
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
export async function finishImportRun(tx: Tx, id: string, outcome: { state: 'done' | 'failed'; report?: unknown; message?: string }): Promise<void> {
  await tx`
    update import_runs set state = ${outcome.state}, report = ${outcome.report === undefined ? null : tx.json(outcome.report as never)},
      message = ${outcome.message ?? null}, csv = null, finished_at = now()
    where id = ${id}`
}

/** Cases an import already made from these rows (by fingerprint), or that hold these references. */
export async function findImportedCases(tx: Tx, keys: string[], refs: string[]): Promise<{ importKey: string | null; externalRef: string | null }[]> {
  return tx<{ importKey: string | null; externalRef: string | null }[]>`
    select import_key as "importKey", external_ref as "externalRef" from cases
    where import_key = any(${keys}) or external_ref = any(${refs})`
}

export async function activeUserIdsByEmail(tx: Tx): Promise<Map<string, string>> {
  const users = await tx<{ id: string; email: string }[]>`select id, email from app_users where disabled_at is null`
  return new Map(users.map((u) => [u.email, u.id]))
}

/** Re-importing updates an account in place, by its domain. */
export async function upsertAccount(tx: Tx, orgId: string, row: AccountRow): Promise<void> {
  await tx`
    insert into accounts (org_id, domain, name, plan, annual_revenue, health)
    values (${orgId}, ${row.domain}, ${row.name ?? ''}, ${row.plan}, ${row.annualRevenue}, ${row.health})
    on conflict (org_id, domain) do update set name = excluded.name, plan = excluded.plan,
      annual_revenue = excluded.annual_revenue, health = excluded.health, updated_at = now()`
}
