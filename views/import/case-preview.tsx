import type { CasePreview, PreviewData } from '../../src/imports/types.ts'
import { caseFields, fieldLabels } from '../../src/imports/csv-columns.ts'
import { Flash } from '../components/parts.tsx'
import { useNonce } from '../components/layout.tsx'
import { Counts, FirstRows, RowErrors } from './preview-parts.tsx'
import { plural, rows } from './words.ts'

export type PreviewChoices = { drafts: boolean; alerts: boolean; allowPartial: boolean }

const delimiterWords = { ',': 'commas', ';': 'semicolons', '\t': 'tabs' } as const

/**
 * The mapping step: each column's use, each word's meaning, the date order, then the import's
 * options. Any change re-reads the file (htmx posts the form on change); without script, "Apply"
 * does the same. The import button posts the same form to /import/run.
 */
export function CasePreviewPanel({
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
          <ColumnTable scan={scan} chosen={chosen} />
          {cases.values.map((v) => (
            <WordTable v={v} header={scan[v.column]!.header} options={cases.options[v.field]} />
          ))}
          {cases.dates.column !== null ? (
            <DateOrderField header={scan[cases.dates.column]!.header} dates={cases.dates} chosen={chosen.dateOrder} />
          ) : null}
        </div>
        <noscript>
          <button type="submit">Apply these choices</button>
        </noscript>
        <FirstRows p={p} />
        <RowErrors p={p} />
        <ImportChoices p={p} cases={cases} choices={choices} />
        <ImportButton p={p} importable={importable} />
      </form>
      <p>
        <a href="/import">Upload another file</a>
      </p>
    </section>
  )
}

/** Each column of the file, and what it is read as. */
function ColumnTable({ scan, chosen }: { scan: CasePreview['scan']; chosen: CasePreview['chosen'] }) {
  return (
    <>
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
    </>
  )
}

/** What each distinct word of one value column means. */
function WordTable({
  v,
  header,
  options,
}: {
  v: CasePreview['values'][number]
  header: string
  options: { value: string; label: string }[]
}) {
  return (
    <>
      <h3>
        What the words in “{header}” mean ({fieldLabels[v.field]})
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
                  {options.map((o) => (
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
  )
}

/** Whether numeric dates are day or month first, with what the file tells. */
function DateOrderField({
  header,
  dates,
  chosen,
}: {
  header: string
  dates: CasePreview['dates']
  chosen: CasePreview['chosen']['dateOrder']
}) {
  return (
    <label class="field">
      <span>Dates like 03/04/2025 in “{header}” are</span>
      <select name="dateOrder">
        <option value="mdy" selected={chosen === 'mdy'}>
          month/day/year (March 4)
        </option>
        <option value="dmy" selected={chosen === 'dmy'}>
          day/month/year (3 April)
        </option>
      </select>
      <small class="muted">
        {dates.dayFirst && !dates.monthFirst
          ? `${dates.dayFirst} dates in this column can only be day/month/year.`
          : dates.monthFirst && !dates.dayFirst
            ? `${dates.monthFirst} dates in this column can only be month/day/year.`
            : dates.dayFirst && dates.monthFirst
              ? 'This column mixes both orders: check the rows with problems.'
              : 'Nothing in the file tells which; ISO dates (2025-03-04) are read as written.'}
      </small>
    </label>
  )
}

/** Drafts, alerts and skipping bad rows: what happens when the cases are created. */
function ImportChoices({ p, cases, choices }: { p: PreviewData; cases: CasePreview; choices: PreviewChoices }) {
  return (
    <fieldset class="choices">
      <legend>When the cases are created</legend>
      <label class="inline-check">
        <input type="radio" name="drafts" value="draft" checked={choices.drafts} /> Draft a reply for each open case (
        {cases.wouldDraft.toLocaleString('en-US')}), as for new mail
      </label>
      <label class="inline-check">
        <input type="radio" name="drafts" value="history" checked={!choices.drafts} /> No drafts: this is imported history (each case says
        “no draft: imported history”)
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
  )
}

function ImportButton({ p, importable }: { p: PreviewData; importable: boolean }) {
  const nonce = useNonce()
  return importable ? (
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
  ) : null
}
