import type { OrgNotificationSettings } from '../../src/digest/settings.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

export type DigestRunRow = {
  localDate: string
  status: string
  reason: string | null
  recipients: string[]
  sentAt: Date | null
  computeMs: number | null
}
export type DigestPreviewView = { subject: string; text: string; recipients: string[]; verdict: string }

type Props = {
  settings: OrgNotificationSettings
  /** The recipients textarea as typed (re-shown after an error). */
  recipientsText?: string
  preview: DigestPreviewView
  runs: DigestRunRow[]
  errors?: Record<string, string>
  notice?: string
}

const hours = Array.from({ length: 24 }, (_, h) => h)

export function DigestSettingsPage({ settings, recipientsText, preview, runs, errors = {}, notice }: Props) {
  return (
    <Layout title="Digest and alerts">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Digest and alerts</h1>
      <Flash error={errors.form} notice={notice} />
      <DigestForm settings={settings} recipientsText={recipientsText} errors={errors} />

      <section class="panel" id="digest-preview">
        <h2>If the digest went out now</h2>
        <p class="muted">{preview.verdict}</p>
        <p>
          <strong>{preview.subject}</strong>
        </p>
        <pre class="mail-text">{preview.text}</pre>
      </section>

      <RecentDigests runs={runs} />
    </Layout>
  )
}

/** The digest's hour, recipients and quiet-day choice, and the immediate alerts. */
function DigestForm({
  settings,
  recipientsText,
  errors,
}: {
  settings: OrgNotificationSettings
  recipientsText?: string
  errors: Record<string, string>
}) {
  return (
    <form method="post" action="/admin/digest" class="panel stack" id="digest-settings">
      <h2>Daily digest</h2>
      <p class="muted">
        One email a day at this hour in the organization’s time zone ({settings.timezone}, set under <a href="/admin/settings">Settings</a>
        ): breached cases, cases at risk in the next 24 hours, replies awaiting approval, unowned cases, missed SEV-1/2 updates, failed
        sends, overdue prevention actions, and yesterday’s first-response and SLA figures.
      </p>
      <label class="checkbox">
        <input type="checkbox" name="digest_enabled" checked={settings.digest_enabled} /> Send the daily digest
      </label>
      <label class="field">
        <span>Hour</span>
        <select name="digest_hour">
          {hours.map((h) => (
            <option value={String(h)} selected={h === settings.digestHour}>{`${String(h).padStart(2, '0')}:00`}</option>
          ))}
        </select>
        {errors.digest_hour ? <p class="field-error">{errors.digest_hour}</p> : null}
      </label>
      <label class="checkbox">
        <input type="checkbox" name="digest_when_empty" checked={settings.digest_when_empty} /> Send it on quiet days too (“nothing needs
        attention”)
      </label>
      <label class="field">
        <span>Recipients</span>
        <textarea name="digest_recipients" rows={3} placeholder="Empty: every approver and admin">
          {recipientsText ?? settings.digest_recipients.join('\n')}
        </textarea>
        <small class="muted">Email addresses of people in this organization, one per line. Empty: every active approver and admin.</small>
        {errors.digest_recipients ? <p class="field-error">{errors.digest_recipients}</p> : null}
      </label>
      <h2>Immediate alerts</h2>
      <label class="checkbox">
        <input type="checkbox" name="alert_new_sev1" checked={settings.alert_new_sev1} /> A new SEV-1 case → every approver and admin
      </label>
      <label class="checkbox">
        <input type="checkbox" name="alert_at_risk" checked={settings.alert_at_risk} /> A case turning at risk → its owner (nobody owns it:
        every approver and admin)
      </label>
      <p class="muted">
        Breached cases, missed SEV-1/2 updates and executives: <a href="/admin/escalation">Escalation chains</a>, per severity.
      </p>
      <label class="checkbox">
        <input type="checkbox" name="alert_send_failed" checked={settings.alert_send_failed} /> An approved reply that could not be
        delivered → its owner, approvers and admins
      </label>
      <button type="submit" class="primary">
        Save
      </button>
    </form>
  )
}

/** The last digests: when, how they ended, to whom, how long composing took. */
function RecentDigests({ runs }: { runs: DigestRunRow[] }) {
  return (
    <section class="panel" id="digest-runs">
      <h2>Recent digests</h2>
      {runs.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Day</th>
              <th>Outcome</th>
              <th>To</th>
              <th>Composed in</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr>
                <td>{r.localDate}</td>
                <td>
                  {r.status}
                  {r.reason ? `: ${r.reason}` : ''}
                </td>
                <td>{r.recipients.join(', ') || '—'}</td>
                <td>{r.computeMs === null ? '—' : `${r.computeMs} ms`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
