import type { PreviewData } from '../../src/imports/types.ts'
import { plural, rows } from './words.ts'

export function Counts({ p }: { p: PreviewData }) {
  return (
    <p class="counts">
      <span>{rows(p.counts.rows)}</span>
      <span>would create {plural(p.counts.create, p.kind)}</span>
      {p.kind === 'cases' ? <span class="muted">{p.counts.present.toLocaleString('en-US')} already present</span> : null}
      <span class={p.counts.errors ? 'error' : 'muted'}>{p.counts.errors.toLocaleString('en-US')} with errors</span>
    </p>
  )
}

export function FirstRows({ p }: { p: PreviewData }) {
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

export function RowErrors({ p }: { p: PreviewData }) {
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
