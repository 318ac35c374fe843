import type { RunCase } from '../../src/imports/queries.ts'
import type { ImportKind } from '../../src/imports/types.ts'
import type { RunProgress, RunReport, RunState } from '../../src/imports/runs.ts'
import { caseLabel, sourceLabel, statusLabel } from '../../src/cases/terms.ts'
import { useNonce } from '../components/layout.tsx'
import { kindWords, numberRange, plural, rows } from './words.ts'

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
  if (run.state === 'running') return <RunningImport runId={runId} kind={kind} progress={run.progress} />
  if (run.state !== 'done') return <FailedImport message={run.message} />
  return <FinishedImport kind={kind} report={run.report} cases={cases} />
}

function RunningImport({ runId, kind, progress: p }: { runId: string; kind: ImportKind; progress: RunProgress | null }) {
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

function FailedImport({ message }: { message: string }) {
  return (
    <section class="panel" id="import-run">
      <p class="flash error" role="alert">
        {message}
      </p>
      <p>
        <a href="/import">Upload a file</a> · <a href="/">Back to the queue</a>
      </p>
    </section>
  )
}

function FinishedImport({
  kind,
  report: r,
  cases,
}: {
  kind: ImportKind
  report: RunReport
  cases: { cases: RunCase[]; total: number } | null
}) {
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
