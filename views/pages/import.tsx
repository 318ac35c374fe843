import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { PreviewData } from '../../src/imports/preview.ts'
import type { ImportKind } from '../../src/imports/queries.ts'
import type { RunState } from '../../src/imports/runs.ts'
import { Flash } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'

const kindWords = { cases: ['case', 'cases'], accounts: ['account', 'accounts'] } as const
const rows = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`
const plural = (n: number, kind: ImportKind) => `${n.toLocaleString('en-US')} ${kindWords[kind][n === 1 ? 0 : 1]}`

// Page-specific rules, sent with the page's CSP nonce (no style attributes under the CSP).
const importStyles = `
#import .counts { flex-wrap:wrap; } #import h3 { margin-top:1.2rem; } .scroll-x { overflow-x:auto; } .preview-rows td { max-width:18rem; overflow-wrap:anywhere; }
.row-errors { max-height:20rem; overflow:auto; padding-left:1.2rem; } .inline-check { font-weight:400; display:flex; gap:.4rem; align-items:center; }
`

export function ImportPage({ children }: { children: Child }) {
  return (
    <Layout title="Import CSV">
      <p class="crumbs"><a href="/">← Queue</a></p>
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
    <form method="post" action="/import/preview" enctype="multipart/form-data" class="panel stack narrow"
      hx-post="/import/preview" hx-target="#import" hx-swap="outerHTML" hx-nonce={useNonce()}>
      <Flash error={error} />
      <p>Upload a CSV (UTF-8, up to 20 MB). Nothing is imported until you have seen the preview and confirmed it.</p>
      <label class="field">
        <span>What is in the file?</span>
        <select name="kind">
          <option value="cases" selected={kind === 'cases'}>Escalations (one case per row)</option>
          <option value="accounts" selected={kind === 'accounts'}>Accounts (domain, plan, revenue, health)</option>
        </select>
      </label>
      <label class="field">
        <span>CSV file</span>
        <input type="file" name="file" accept=".csv,text/csv" required />
      </label>
      <p class="muted">Common column names are recognised ("Customer", "customer_name", "Email", "Complaint Number"…); other columns are ignored and listed in the preview. A row already in the desk (same external reference, or the same row imported before) is skipped.</p>
      <button type="submit" class="primary">Preview</button>
    </form>
  )
}

export function PreviewPanel({ preview: p, runId, error }: { preview: PreviewData; runId: string | null; error?: string | null }) {
  // A run id is given only for a file that can run (src/imports/preview.ts runnable).
  const importable = runId !== null
  return (
    <section class="panel" id="import-preview">
      <Flash error={error} />
      <h2>Preview of {p.fileName}</h2>
      {p.reason ? <p class="flash error" role="alert">This file cannot be imported: {p.reason}.</p> : null}
      <p class="counts">
        <span>{rows(p.counts.rows)}</span>
        <span>would create {plural(p.counts.create, p.kind)}</span>
        {p.kind === 'cases' ? <span class="muted">{p.counts.present.toLocaleString('en-US')} already present</span> : null}
        <span class={p.counts.errors ? 'error' : 'muted'}>{p.counts.errors.toLocaleString('en-US')} with errors</span>
      </p>
      {p.mapping.length ? (
        <>
          <h3>Columns</h3>
          <table class="mapping">
            <thead><tr><th>Column in the file</th><th>Read as</th></tr></thead>
            <tbody>{p.mapping.map((m) => <tr><td>{m.header}</td><td>{m.field ?? <span class="muted">ignored</span>}</td></tr>)}</tbody>
          </table>
        </>
      ) : null}
      {p.rows.length ? (
        <>
          <h3>{p.rows.length === 1 ? 'The first valid row' : `The first ${p.rows.length} valid rows`}</h3>
          <div class="scroll-x">
            <table class="preview-rows">
              <thead><tr><th>Line</th>{p.columns.map((col) => <th>{col}</th>)}</tr></thead>
              <tbody>{p.rows.map((r) => <tr><td>{r.line}</td>{r.values.map((v) => <td>{v}</td>)}</tr>)}</tbody>
            </table>
          </div>
        </>
      ) : null}
      {p.errors.length ? (
        <>
          <h3>Rows with problems{p.counts.errors > p.errors.length ? ` (first ${p.errors.length} of ${p.counts.errors})` : ''}</h3>
          <ul class="row-errors">{p.errors.map((e) => <li><strong>Line {e.line}:</strong> {e.errors.join('; ')}</li>)}</ul>
        </>
      ) : null}
      {importable ? (
        <form method="post" action="/import/run" class="stack" hx-post="/import/run" hx-target="#import" hx-swap="outerHTML" hx-nonce={useNonce()}>
          <input type="hidden" name="runId" value={runId!} />
          {p.counts.errors ? (
            <label class="inline-check">
              <input type="checkbox" name="allowPartial" value="1" /> Import the valid rows anyway ({rows(p.counts.errors)} with problems will be skipped)
            </label>
          ) : null}
          <button type="submit" class="primary">Import {plural(p.counts.create, p.kind)}</button>
        </form>
      ) : !p.reason && p.counts.create === 0 && p.counts.errors === 0 ? (
        <p role="status">Nothing new: every row is already in the desk.</p>
      ) : p.kind === 'accounts' && p.counts.errors ? (
        <p>Fix the rows above and upload the file again; accounts are imported all at once.</p>
      ) : null}
      <p><a href="/import">Upload another file</a></p>
    </section>
  )
}

/**
 * The running import polls itself every second (outerHTML swap of #import-run); the finished
 * report carries no trigger, so polling stops there.
 */
export function RunStatus({ runId, kind, run }: { runId: string; kind: ImportKind; run: RunState }) {
  if (run.state === 'running') {
    const p = run.progress
    return (
      <section class="panel" id="import-run" hx-get={`/import/${runId}`} hx-trigger="every 1s" hx-swap="outerHTML" hx-nonce={useNonce()}>
        <h2>Importing {kindWords[kind][1]}…</h2>
        {p ? <progress class="progress" max={Math.max(p.total, 1)} value={p.done} aria-label="Import progress"></progress>
          : <progress class="progress" aria-label="Import progress"></progress>}
        <p role="status">{p ? `${p.stage === 'validate' ? 'Checking' : 'Importing'}: ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} rows` : 'Working…'}</p>
        <p class="muted">The import is one transaction: it lands whole or not at all. <a href={`/import/${runId}`}>Refresh</a></p>
      </section>
    )
  }
  if (run.state !== 'done') {
    return (
      <section class="panel" id="import-run">
        <p class="flash error" role="alert">{run.message}</p>
        <p><a href="/import">Upload a file</a> · <a href="/">Back to the queue</a></p>
      </section>
    )
  }
  const r = run.report
  return (
    <section class="panel" id="import-run">
      <h2>{r.ok ? 'Import finished' : 'Nothing was imported'}</h2>
      {r.ok ? null : <p class="flash error" role="alert">{r.reason ?? 'The import was refused.'}</p>}
      <progress class="progress" max={1} value={1} aria-label="Import progress"></progress>
      <p role="status">
        {kind === 'cases'
          ? `Created ${plural(r.created, kind)}; ${r.duplicates.toLocaleString('en-US')} already present; ${rows(r.errorCount)} skipped.`
          : `Imported ${plural(r.created, kind)}; ${r.linkedCases.toLocaleString('en-US')} cases linked to their account.`}
      </p>
      {r.errors.length ? <ul class="row-errors">{r.errors.map((e) => <li><strong>Line {e.line}:</strong> {e.errors.join('; ')}</li>)}</ul> : null}
      <p>
        <a href="/">Open the queue</a> · <a href="/?view=unowned">Unowned cases</a>
        {kind === 'cases' ? <> · <a href="/?source=csv">Cases from CSV</a></> : null} · <a href="/import">Import another file</a>
      </p>
    </section>
  )
}
