import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { CasePreview, PreviewData } from '../../src/imports/preview.ts'
import type { ImportKind, RunCase } from '../../src/imports/queries.ts'
import type { RunState } from '../../src/imports/runs.ts'
import { caseFields, fieldLabels } from '../../src/imports/csv-columns.ts'
import { caseLabel, sourceLabel, statusLabel } from '../../src/cases/terms.ts'
import { Flash } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'

/** "ESC-1001 … ESC-1040": the numbers an import gave its cases. */
const numberRange = (n: { first: number; last: number }) =>
  n.first === n.last ? caseLabel(n.first) : `${caseLabel(n.first)} … ${caseLabel(n.last)}`

const kindWords = { cases: ['case', 'cases'], accounts: ['account', 'accounts'] } as const
const rows = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`
const plural = (n: number, kind: ImportKind) => `${n.toLocaleString('en-US')} ${kindWords[kind][n === 1 ? 0 : 1]}`

// Page-specific rules, sent with the page's CSP nonce (no style attributes under the CSP).
const importStyles = `
#import .counts { flex-wrap:wrap; } #import h3 { margin-top:1.2rem; } .scroll-x { overflow-x:auto; } .preview-rows td { max-width:18rem; overflow-wrap:anywhere; }
.row-errors { max-height:20rem; overflow:auto; padding-left:1.2rem; } .inline-check { font-weight:400; display:flex; gap:.4rem; align-items:center; }
.mapping td, .values td { vertical-align:top; overflow-wrap:anywhere; } .mapping .samples { color:#667085; font-size:.85rem; max-width:22rem; }
.mapping select, .values select { max-width:100%; } .problems { border-left:.3rem solid #b42318; padding:.4rem .8rem; background:#fef3f2; }
.choices { display:grid; gap:.4rem; margin:.8rem 0; } .run-cases td { overflow-wrap:anywhere; }
`

export function ImportPage({ children }: { children: Child }) {
  return (
    <Layout title="Import CSV">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <style nonce={useNonce()}>{raw(importStyles)}</style>
      <h1>Import from a spreadsheet</h1>
      <ImportBody>{children}</ImportBody>
    </Layout>
  )
}

/** The swappable part of the page (id="import"): upload form, preview, or the running import. */
export function ImportBody({ children }: { children: Child }) {
  return <div id="import">{children}</div>
}

export function UploadForm({ error, kind = 'cases' }: { error?: string | null; kind?: ImportKind }) {
  return (
    <form
      method="post"
      action="/import/preview"
      enctype="multipart/form-data"
      class="panel stack narrow"
      hx-post="/import/preview"
      hx-target="#import"
      hx-swap="outerHTML"
      hx-nonce={useNonce()}
    >
      <Flash error={error} />
      <p>Upload a CSV (UTF-8, up to 20 MB). Nothing is imported until you have seen the preview and confirmed it.</p>
      <label class="field">
        <span>What is in the file?</span>
        <select name="kind">
          <option value="cases" selected={kind === 'cases'}>
            Escalations (one case per row)
          </option>
          <option value="accounts" selected={kind === 'accounts'}>
            Accounts (domain, plan, revenue, health)
          </option>
        </select>
      </label>
      <label class="field">
        <span>CSV file</span>
        <input type="file" name="file" accept=".csv,text/csv" required />
      </label>
      <p class="muted">
        Any spreadsheet export works: comma, semicolon (Excel in Europe) or tab separated. The preview shows what each column is read as
        ("Customer", "Ticket #", "Details"…) and what its words mean ("Lawyer letter", "P1", an owner's name); change any of it there, and
        the desk remembers your choices for the next file. Columns with no field of their own are kept on each case. A row already in the
        desk (same external reference, or the same row imported before) is skipped.
      </p>
      <button type="submit" class="primary">
        Preview
      </button>
    </form>
  )
}

export type PreviewChoices = { drafts: boolean; alerts: boolean; allowPartial: boolean }
const defaultChoices: PreviewChoices = { drafts: true, alerts: false, allowPartial: false }

export function PreviewPanel({
  preview: p,
  runId,
  error,
  notice,
  choices = defaultChoices,
}: {
  preview: PreviewData
  runId: string | null
  error?: string | null
  notice?: string | null
  choices?: PreviewChoices
}) {
  // A run id is given for a file that can run, or whose mapping can be changed until it can.
  const importable = runId !== null && !p.reason && p.counts.create > 0 && (p.kind === 'cases' || p.counts.errors === 0)
  if (p.cases && runId)
    return (
      <CasePreviewPanel preview={p} cases={p.cases} runId={runId} error={error} notice={notice} choices={choices} importable={importable} />
    )
  return (
    <section class="panel" id="import-preview">
      <Flash error={error} notice={notice} />
      <h2>Preview of {p.fileName}</h2>
      {p.reason ? (
        <p class="flash error" role="alert">
          This file cannot be imported: {p.reason}.
        </p>
      ) : null}
      <Counts p={p} />
      {p.mapping.length ? (
        <>
          <h3>Columns</h3>
          <table class="mapping">
            <thead>
              <tr>
                <th>Column in the file</th>
                <th>Read as</th>
              </tr>
            </thead>
            <tbody>
              {p.mapping.map((m) => (
                <tr>
                  <td>{m.header}</td>
                  <td>{m.field ?? <span class="muted">ignored</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <FirstRows p={p} />
      <RowErrors p={p} />
      {importable ? (
        <form
          method="post"
          action="/import/run"
          class="stack"
          hx-post="/import/run"
          hx-target="#import"
          hx-swap="outerHTML"
          hx-nonce={useNonce()}
        >
          <input type="hidden" name="runId" value={runId!} />
          <button type="submit" class="primary">
            Import {plural(p.counts.create, p.kind)}
          </button>
        </form>
      ) : !p.reason && p.counts.create === 0 && p.counts.errors === 0 ? (
        <p role="status">Nothing new: every row is already in the desk.</p>
      ) : p.kind === 'accounts' && p.counts.errors ? (
        <p>Fix the rows above and upload the file again; accounts are imported all at once.</p>
      ) : null}
      <p>
        <a href="/import">Upload another file</a>
      </p>
    </section>
  )
}

function Counts({ p }: { p: PreviewData }) {
  return (
    <p class="counts">
      <span>{rows(p.counts.rows)}</span>
      <span>would create {plural(p.counts.create, p.kind)}</span>
      {p.kind === 'cases' ? <span class="muted">{p.counts.present.toLocaleString('en-US')} already present</span> : null}
      <span class={p.counts.errors ? 'error' : 'muted'}>{p.counts.errors.toLocaleString('en-US')} with errors</span>
    </p>
  )
}

function FirstRows({ p }: { p: PreviewData }) {
  if (!p.rows.length) return null
  return (
    <>
      <h3>{p.rows.length === 1 ? 'The first valid row' : `The first ${p.rows.length} valid rows`}, as they would be imported</h3>
      <div class="scroll-x">
        <table class="preview-rows">
          <thead>
            <tr>
              <th>Line</th>
              {p.columns.map((col) => (
                <th>{col}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr>
                <td>{r.line}</td>
                {r.values.map((v) => (
                  <td>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

function RowErrors({ p }: { p: PreviewData }) {
  if (!p.errors.length) return null
  return (
    <>
      <h3>Rows with problems{p.counts.errors > p.errors.length ? ` (first ${p.errors.length} of ${p.counts.errors})` : ''}</h3>
      <ul class="row-errors">
        {p.errors.map((e) => (
          <li>
            <strong>Line {e.line}:</strong> {e.errors.join('; ')}
          </li>
        ))}
      </ul>
    </>
  )
}

const delimiterWords = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' } as const

/**
 * The mapping step: each column's use, each word's meaning, the date order, then the import's
 * options. Any change re-reads the file (htmx posts the form on change); without script, "Apply"
 * does the same. The import button posts the same form to /import/run.
 */
function CasePreviewPanel({
  preview: p,
  cases,
  runId,
  error,
  notice,
  choices,
  importable,
}: {
  preview: PreviewData
  cases: CasePreview
  runId: string
  error?: string | null
  notice?: string | null
  choices: PreviewChoices
  importable: boolean
}) {
  const nonce = useNonce()
  const { scan, chosen } = cases
  return (
    <section class="panel" id="import-preview">
      <Flash error={error} notice={notice} />
      <h2>Preview of {p.fileName}</h2>
      <p class="muted">Separated by {delimiterWords[cases.delimiter]}. Nothing is imported until you press Import.</p>
      {p.reason ? (
        <div class="problems" role="alert">
          <strong>Not ready to import:</strong> {p.reason}.
        </div>
      ) : null}
      <Counts p={p} />
      <form method="post" action={`/import/${runId}/mapping`} class="stack" id="import-mapping">
        <input type="hidden" name="runId" value={runId} />
        <div hx-post={`/import/${runId}/mapping`} hx-trigger="change" hx-target="#import" hx-swap="outerHTML" hx-nonce={nonce}>
          <h3>What each column is</h3>
          <div class="scroll-x">
            <table class="mapping">
              <thead>
                <tr>
                  <th>Column in the file</th>
                  <th>First values</th>
                  <th>Read as</th>
                </tr>
              </thead>
              <tbody>
                {scan.map((column, i) => (
                  <tr>
                    <td>
                      <label for={`col_${i}`}>{column.header || <span class="muted">(no header)</span>}</label>
                    </td>
                    <td class="samples">{column.samples.join(' · ') || '—'}</td>
                    <td>
                      <select name={`col_${i}`} id={`col_${i}`}>
                        {caseFields.map((field) => (
                          <option value={field} selected={chosen.columns[i] === field}>
                            {fieldLabels[field]}
                          </option>
                        ))}
                        <option value="keep" selected={chosen.columns[i] === 'keep'}>
                          keep as a case field
                        </option>
                        <option value="ignore" selected={chosen.columns[i] === 'ignore'}>
                          ignore
                        </option>
                      </select>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {cases.values.map((v) => (
            <>
              <h3>
                What the words in “{scan[v.column]!.header}” mean ({fieldLabels[v.field]})
              </h3>
              <table class="values">
                <thead>
                  <tr>
                    <th>In the file</th>
                    <th>Rows</th>
                    <th>Means</th>
                  </tr>
                </thead>
                <tbody>
                  {v.entries.map((e, k) => (
                    <tr>
                      <td>
                        <label for={`val_${v.column}_${k}`}>{e.value}</label>
                      </td>
                      <td>{e.count.toLocaleString('en-US')}</td>
                      <td>
                        <select name={`val_${v.column}_${k}`} id={`val_${v.column}_${k}`}>
                          {e.mapped === null && v.field !== 'owner' ? (
                            <option value="?" selected>
                              — choose (rows with it are refused) —
                            </option>
                          ) : null}
                          {cases.options[v.field].map((o) => (
                            <option value={o.value} selected={(e.mapped ?? '') === o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {v.more ? <p class="muted">{v.more.toLocaleString('en-US')} more cells hold other words, read by their names.</p> : null}
            </>
          ))}
          {cases.dates.column !== null ? (
            <label class="field">
              <span>Dates like 03/04/2025 in “{scan[cases.dates.column]!.header}” are</span>
              <select name="dateOrder">
                <option value="mdy" selected={chosen.dateOrder === 'mdy'}>
                  month/day/year (March 4)
                </option>
                <option value="dmy" selected={chosen.dateOrder === 'dmy'}>
                  day/month/year (3 April)
                </option>
              </select>
              <small class="muted">
                {cases.dates.dayFirst && !cases.dates.monthFirst
                  ? `${cases.dates.dayFirst} dates in this column can only be day/month/year.`
                  : cases.dates.monthFirst && !cases.dates.dayFirst
                    ? `${cases.dates.monthFirst} dates in this column can only be month/day/year.`
                    : cases.dates.dayFirst && cases.dates.monthFirst
                      ? 'This column mixes both orders: check the rows with problems.'
                      : 'Nothing in the file tells which; ISO dates (2025-03-04) are read as written.'}
              </small>
            </label>
          ) : null}
        </div>
        <noscript>
          <button type="submit">Apply these choices</button>
        </noscript>
        <FirstRows p={p} />
        <RowErrors p={p} />
        <fieldset class="choices">
          <legend>When the cases are created</legend>
          <label class="inline-check">
            <input type="radio" name="drafts" value="draft" checked={choices.drafts} /> Draft a reply for each open case (
            {cases.wouldDraft.toLocaleString('en-US')}), as for new mail
          </label>
          <label class="inline-check">
            <input type="radio" name="drafts" value="history" checked={!choices.drafts} /> No drafts: this is imported history (each case
            says “no draft: imported history”)
          </label>
          <label class="inline-check">
            <input type="checkbox" name="alerts" value="1" checked={choices.alerts} /> Send SEV-1 alerts for the open SEV-1 rows (
            {cases.openSev1.toLocaleString('en-US')}), as if they had just arrived
          </label>
          {p.counts.errors ? (
            <label class="inline-check">
              <input type="checkbox" name="allowPartial" value="1" checked={choices.allowPartial} /> Import the valid rows anyway (
              {rows(p.counts.errors)} with problems will be skipped)
            </label>
          ) : null}
        </fieldset>
        {importable ? (
          <button
            type="submit"
            class="primary"
            formaction="/import/run"
            hx-post="/import/run"
            hx-target="#import"
            hx-swap="outerHTML"
            hx-nonce={nonce}
          >
            Import {plural(p.counts.create, p.kind)}
          </button>
        ) : !p.reason && p.counts.create === 0 && p.counts.errors === 0 ? (
          <p role="status">Nothing new: every row is already in the desk.</p>
        ) : null}
      </form>
      <p>
        <a href="/import">Upload another file</a>
      </p>
    </section>
  )
}

/**
 * The running import polls itself every second (outerHTML swap of #import-run); the finished
 * report carries no trigger, so polling stops there.
 */
export function RunStatus({
  runId,
  kind,
  run,
  cases = null,
}: {
  runId: string
  kind: ImportKind
  run: RunState
  cases?: { cases: RunCase[]; total: number } | null
}) {
  if (run.state === 'running') {
    const p = run.progress
    return (
      <section class="panel" id="import-run" hx-get={`/import/${runId}`} hx-trigger="every 1s" hx-swap="outerHTML" hx-nonce={useNonce()}>
        <h2>Importing {kindWords[kind][1]}…</h2>
        {p ? (
          <progress class="progress" max={Math.max(p.total, 1)} value={p.done} aria-label="Import progress"></progress>
        ) : (
          <progress class="progress" aria-label="Import progress"></progress>
        )}
        <p role="status">
          {p
            ? `${p.stage === 'validate' ? 'Checking' : 'Importing'}: ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} rows`
            : 'Working…'}
        </p>
        <p class="muted">
          The import is one transaction: it lands whole or not at all. <a href={`/import/${runId}`}>Refresh</a>
        </p>
      </section>
    )
  }
  if (run.state !== 'done') {
    return (
      <section class="panel" id="import-run">
        <p class="flash error" role="alert">
          {run.message}
        </p>
        <p>
          <a href="/import">Upload a file</a> · <a href="/">Back to the queue</a>
        </p>
      </section>
    )
  }
  const r = run.report
  return (
    <section class="panel" id="import-run">
      <h2>{r.ok ? 'Import finished' : 'Nothing was imported'}</h2>
      {r.ok ? null : (
        <p class="flash error" role="alert">
          {r.reason ?? 'The import was refused.'}
        </p>
      )}
      <progress class="progress" max={1} value={1} aria-label="Import progress"></progress>
      <p role="status">
        {kind === 'cases'
          ? `Created ${plural(r.created, kind)}${r.numbers ? ` (${numberRange(r.numbers)})` : ''}; ${r.duplicates.toLocaleString('en-US')} already present; ${rows(r.errorCount)} skipped.`
          : `Imported ${plural(r.created, kind)}; ${r.linkedCases.toLocaleString('en-US')} cases linked to their account.`}
      </p>
      {kind === 'cases' && r.ok && r.drafted !== undefined ? (
        <p>
          {r.drafted ? `${r.drafted.toLocaleString('en-US')} reply drafts are being written.` : 'No drafts: imported history.'}
          {r.alertsSkipped ? ` ${r.alertsSkipped.toLocaleString('en-US')} open SEV-1 cases were imported without an alert.` : ''}
        </p>
      ) : null}
      {r.errors.length ? (
        <ul class="row-errors">
          {r.errors.map((e) => (
            <li>
              <strong>Line {e.line}:</strong> {e.errors.join('; ')}
            </li>
          ))}
        </ul>
      ) : null}
      {cases && cases.total ? <RunCases {...cases} /> : null}
      <p>
        <a href="/">Open the queue</a> · <a href="/?view=unowned">Unowned cases</a> · <a href="/import">Import another file</a>
      </p>
    </section>
  )
}

/** Every case the import made, whatever source its row named (the first 500). */
function RunCases({ cases, total }: { cases: RunCase[]; total: number }) {
  return (
    <>
      <h3>
        The cases this import created
        {total > cases.length ? ` (the first ${cases.length} of ${total.toLocaleString('en-US')})` : ` (${total.toLocaleString('en-US')})`}
      </h3>
      <div class="scroll-x">
        <table class="run-cases" id="run-cases">
          <thead>
            <tr>
              <th>Case</th>
              <th>Subject</th>
              <th>Source</th>
              <th>Severity</th>
              <th>Status</th>
              <th>Owner</th>
              <th>Draft</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <tr>
                <td>
                  <a href={`/cases/${c.id}`}>{caseLabel(c.number)}</a>
                </td>
                <td>{c.subject}</td>
                <td>{sourceLabel(c.source)}</td>
                <td>{c.severity}</td>
                <td>{statusLabel(c.status)}</td>
                <td>{c.ownerName ?? <span class="muted">unowned</span>}</td>
                <td>{c.draft === 'ready' ? 'ready' : c.draft === 'queued' ? 'being written' : <span class="muted">none</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
