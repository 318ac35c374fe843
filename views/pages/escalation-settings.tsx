import { severities } from '../../src/cases/terms.ts'
import type { EscalationPolicies } from '../../src/escalation/policy.ts'
import type { OrgExecutive } from '../../src/orgs/executives.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = {
  policies: EscalationPolicies
  /** The form as typed (re-shown after an error), by field name. */
  values?: Record<string, string>
  executives: (OrgExecutive & { hasAccount: boolean })[]
  atRiskAlertsOn: boolean
  errors?: Record<string, string>
  notice?: string
}

const minutesValue = (m: number | null) => (m === null ? '' : String(m))

/** /admin/escalation: per severity, who is told as a clock runs down, and when. */
export function EscalationSettingsPage({ policies, values, executives, atRiskAlertsOn, errors = {}, notice }: Props) {
  const shown = (name: string, fallback: string) => values?.[name] ?? fallback
  const checked = (name: string, fallback: boolean) => (values ? values[name] === 'on' : fallback)
  return (
    <Layout title="Escalation chains">
      <p class="crumbs">
        <a href="/admin/digest">← Digest and alerts</a>
      </p>
      <h1>Escalation chains</h1>
      <Flash error={errors.form} notice={notice} />
      <form method="post" action="/admin/escalation" class="panel stack" id="escalation-settings">
        <p class="muted">
          When a case’s clock (first response, customer update, resolution) runs down with nobody acting, each step below mails its people
          once per case and deadline. Every mail has an “I’m on it” link: whoever presses it takes the case, and the rest of that deadline’s
          chain is not sent. A reply sent or a deadline moved is a new clock.
          {atRiskAlertsOn ? '' : ' At-risk alerts are turned off for the whole organization under Digest and alerts.'}
        </p>
        <table>
          <thead>
            <tr>
              <th>Severity</th>
              <th>At risk → owner (unowned: approvers and admins)</th>
              <th>Missed customer update → owner</th>
              <th>Breached → approvers and admins, after (min)</th>
              <th>Breached → executives, after (min)</th>
            </tr>
          </thead>
          <tbody>
            {severities.map((sev) => (
              <tr>
                <th scope="row">{sev}</th>
                <td>
                  <input
                    type="checkbox"
                    name={`${sev}.at_risk`}
                    aria-label={`${sev}: at risk`}
                    checked={checked(`${sev}.at_risk`, policies[sev].atRisk)}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    name={`${sev}.cadence`}
                    aria-label={`${sev}: missed update`}
                    checked={checked(`${sev}.cadence`, policies[sev].cadence)}
                  />
                </td>
                {(['approvers', 'executives'] as const).map((who) => {
                  const name = `${sev}.${who}`
                  const stored = who === 'approvers' ? policies[sev].approversAfterMinutes : policies[sev].executivesAfterMinutes
                  return (
                    <td>
                      <input
                        type="text"
                        inputmode="numeric"
                        size={5}
                        name={name}
                        aria-label={`${sev}: ${who}, minutes after the deadline`}
                        value={shown(name, minutesValue(stored))}
                        placeholder="off"
                      />
                      {errors[name] ? <p class="field-error">{errors[name]}</p> : null}
                    </td>
                  )
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">
          Minutes after the deadline, 0 to 1440; empty: that step is off. The desk has no “manager” of a user: the approvers and admins
          stand for one.
        </p>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
      <section class="panel" id="escalation-executives">
        <h2>Executives</h2>
        {executives.length === 0 ? (
          <p class="muted">
            None listed: the executives step has nobody to tell. List them under <a href="/admin/organization">Organization</a>.
          </p>
        ) : (
          <ul>
            {executives.map((e) => (
              <li>
                {e.name ? `${e.name} <${e.email}>` : e.email}
                {e.hasAccount ? '' : ' (no desk account: mailed without an “I’m on it” link)'}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  )
}
