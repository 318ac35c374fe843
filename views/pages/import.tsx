import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import { runnable } from '../../src/imports/preview.ts'
import type { ImportKind, PreviewData } from '../../src/imports/types.ts'
import { Flash } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'
import { CasePreviewPanel, type PreviewChoices } from '../import/case-preview.tsx'
import { Counts, FirstRows, RowErrors } from '../import/preview-parts.tsx'
import { plural } from '../import/words.ts'

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
  const importable = runId !== null && runnable(p)
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
      {p.mapping.length ? <ColumnList mapping={p.mapping} /> : null}
      <FirstRows p={p} />
      <RowErrors p={p} />
      <ImportAction p={p} runId={runId} importable={importable} />
      <p>
        <a href="/import">Upload another file</a>
      </p>
    </section>
  )
}

/** What each column of an account sheet is read as (case sheets have their own mapping step). */
function ColumnList({ mapping }: { mapping: PreviewData['mapping'] }) {
  return (
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
          {mapping.map((m) => (
            <tr>
              <td>{m.header}</td>
              <td>{m.field ?? <span class="muted">ignored</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

/** The import button, or why there is none. */
function ImportAction({ p, runId, importable }: { p: PreviewData; runId: string | null; importable: boolean }) {
  return importable ? (
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
  ) : null
}
