import type { CaseDetail } from '../../src/cases/detail.ts'
import { Countdown, formatTime } from '../components/parts.tsx'

/** The case's three clocks, large, at the top of the case (and why the severity is what it is). */
export function Clocks({ kase, now }: { kase: CaseDetail; now: Date }) {
  const finished = kase.status === 'resolved' || kase.status === 'closed'
  return (
    <section class="panel clocks" aria-label="Clocks">
      <div>
        <h3>First response</h3>
        {kase.firstResponseAt ? (
          <span class={`countdown ${kase.firstResponseDueAt && kase.firstResponseAt > kase.firstResponseDueAt ? 'breached' : 'met'}`}>
            sent {formatTime(kase.firstResponseAt)}
          </span>
        ) : finished ? (
          <span class="muted">none sent</span>
        ) : (
          <Countdown due={kase.firstResponseDueAt} atRisk={kase.firstResponseAtRiskAt} now={now} />
        )}
      </div>
      <div>
        <h3>Next update</h3>
        {kase.nextUpdateDueAt ? (
          <Countdown due={kase.nextUpdateDueAt} atRisk={kase.nextUpdateAtRiskAt} now={now} />
        ) : (
          <span class="muted">{kase.firstResponseAt ? 'on change' : 'after the first reply'}</span>
        )}
      </div>
      <div>
        <h3>Resolution</h3>
        {kase.resolvedAt ? (
          <span class="countdown met">resolved {formatTime(kase.resolvedAt)}</span>
        ) : kase.resolutionPausedAt ? (
          <span class="muted">paused: waiting on the customer</span>
        ) : (
          <Countdown due={kase.resolutionDueAt} atRisk={kase.resolutionAtRiskAt} now={now} />
        )}
      </div>
      <div class="reasons">
        <h3>Why {kase.severity}</h3>
        <ul>
          {kase.severityReasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      </div>
    </section>
  )
}
