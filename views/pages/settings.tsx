import type { BusinessCalendar } from '../../src/sla/business-hours.ts'
import type { OverrideWeek } from '../../src/cases/severity.ts'
import type { SlaPolicy } from '../../src/sla/sla.ts'
import type { ApprovalPolicy } from '../../src/orgs/queries.ts'
import { severities, sourceLabels, sources } from '../../src/cases/terms.ts'
import { weekdays } from '../../src/sla/settings.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = {
  timezone: string
  policy: SlaPolicy
  calendar: BusinessCalendar | null
  approvalPolicy: ApprovalPolicy
  errors?: Record<string, string>
  notice?: string | null
}

export function SettingsPage({ timezone, policy, calendar, approvalPolicy, errors = {}, notice }: Props) {
  const errorList = Object.values(errors)
  return (
    <Layout title="Settings">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>SLA policy and business hours</h1>
      <Flash notice={notice} error={errorList.length ? errorList.join(' ') : null} />
      <form method="post" action="/admin/settings" class="panel" id="settings">
        <p class="muted">Targets in minutes. Saving recomputes the deadlines of every open case; the change is audited.</p>
        <TargetTable policy={policy} />
        <ClockFields timezone={timezone} calendar={calendar} />
        <FourEyesFields policy={approvalPolicy} />
        <button type="submit" class="primary">
          Save and recompute deadlines
        </button>
      </form>
      <p>
        <a href="/admin/audit.csv">Download the whole audit trail (CSV)</a> · <a href="/reports/severity">Severity overrides by week</a>
      </p>
    </Layout>
  )
}

/** Each severity's first-response, update and resolution targets. */
function TargetTable({ policy }: { policy: SlaPolicy }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Severity</th>
          <th>First response</th>
          <th>Update every (empty = on change)</th>
          <th>Resolution</th>
        </tr>
      </thead>
      <tbody>
        {severities.map((s) => (
          <tr>
            <td>{s}</td>
            <td>
              <input
                name={`${s}.firstResponse`}
                type="number"
                min="1"
                required
                value={String(policy[s].firstResponseMinutes)}
                aria-label={`${s} first response minutes`}
              />
            </td>
            <td>
              <input
                name={`${s}.update`}
                type="number"
                min="1"
                value={policy[s].updateMinutes === null ? '' : String(policy[s].updateMinutes)}
                aria-label={`${s} update minutes`}
              />
            </td>
            <td>
              <input
                name={`${s}.resolution`}
                type="number"
                min="1"
                required
                value={String(policy[s].resolutionMinutes)}
                aria-label={`${s} resolution minutes`}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** When the clocks run: the time zone, around the clock or business hours, the holidays. */
function ClockFields({ timezone, calendar }: { timezone: string; calendar: BusinessCalendar | null }) {
  return (
    <>
      <h2>Clock</h2>
      <label class="field">
        <span>Time zone</span>
        <input name="timezone" value={timezone} required />
      </label>
      <label>
        <input type="radio" name="hours" value="always" checked={!calendar} /> Around the clock (24/7)
      </label>
      <label>
        <input type="radio" name="hours" value="business" checked={Boolean(calendar)} /> Business hours only
      </label>
      <table>
        <tbody>
          {weekdays.map(([day, name]) => {
            const interval = calendar?.weekly[day]?.[0]
            const open = calendar ? Boolean(interval) : day >= 1 && day <= 5
            return (
              <tr>
                <td>
                  <label>
                    <input type="checkbox" name={`day.${day}`} checked={open} /> {name}
                  </label>
                </td>
                <td>
                  <input
                    name={`day.${day}.from`}
                    value={interval?.[0] ?? '09:00'}
                    pattern="[0-2][0-9]:[0-5][0-9]"
                    aria-label={`${name} opens`}
                  />
                </td>
                <td>
                  <input
                    name={`day.${day}.to`}
                    value={interval?.[1] ?? '17:00'}
                    pattern="[0-2][0-9]:[0-5][0-9]"
                    aria-label={`${name} closes`}
                  />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <label class="field">
        <span>Holidays (one date per line, YYYY-MM-DD)</span>
        <textarea name="holidays" rows={3}>
          {calendar?.holidays.join('\n') ?? ''}
        </textarea>
      </label>
    </>
  )
}

export function OverridesPage({ weeks }: { weeks: OverrideWeek[] }) {
  return (
    <Layout title="Severity overrides">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Severity overrides by week</h1>
      <p class="muted">Who raised or lowered severities after intake: a steady stream of raises is priority inflation.</p>
      {weeks.length === 0 ? (
        <div class="panel empty">No severity changes in the last 12 weeks.</div>
      ) : (
        <table id="overrides">
          <thead>
            <tr>
              <th>Week of</th>
              <th>Who</th>
              <th>Raised</th>
              <th>Lowered</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr>
                <td>{formatTime(w.week).replace(/,.*$/, '')}</td>
                <td>{w.actorName ?? w.actorId ?? 'the desk'}</td>
                <td>{w.raised}</td>
                <td>{w.lowered}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  )
}

/** Who may approve a reply they wrote or edited themselves (four eyes). Changes are audited. */
function FourEyesFields({ policy }: { policy: ApprovalPolicy }) {
  return (
    <fieldset id="four-eyes">
      <legend>Approving your own text</legend>
      <input type="hidden" name="approval_policy" value="1" />
      <p class="muted">
        Whoever wrote or edited a reply needs a second approver, except where you allow self-approval here. A reply the desk wrote (AI or
        template) can be approved by anyone with the approver role.
      </p>
      <p>
        Allow self-approval at:{' '}
        {severities.map((s) => (
          <label>
            <input type="checkbox" name="self_approval" value={s} checked={policy.selfApprovalSeverities.includes(s)} /> {s}
          </label>
        ))}
      </p>
      <p>
        Always two people for cases from:{' '}
        {sources.map((s) => (
          <label>
            <input type="checkbox" name="four_eyes_source" value={s} checked={policy.fourEyesSources.includes(s)} /> {sourceLabels[s]}
          </label>
        ))}
      </p>
    </fieldset>
  )
}
