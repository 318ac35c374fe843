import { severities } from '../../src/cases/terms.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

/** Which severities need a completed post-incident review before the team closes a case. */
export function ReviewSettingsPage({ required, notice }: { required: string[]; notice: string | null }) {
  return (
    <Layout title="Reviews">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Post-incident reviews</h1>
      <Flash notice={notice} />
      <form method="post" action="/admin/reviews" class="panel stack" id="review-settings">
        <fieldset>
          <legend>Closing a case needs a completed review for</legend>
          {severities.map((s) => (
            <label class="check">
              <input type="checkbox" name="severity" value={s} checked={required.includes(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <p class="muted">
          Anyone closing such a case without one must write why; the reason is in the audit trail. A customer confirming the resolution
          still closes the case. SEV-1 and SEV-2 get the playbook's full review, SEV-3 and SEV-4 a short one.
        </p>
        <button type="submit" class="primary">
          Save
        </button>
      </form>
    </Layout>
  )
}
