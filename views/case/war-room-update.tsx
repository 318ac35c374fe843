import { caseLabel } from '../../src/cases/terms.ts'
import type { Stakeholders } from '../../src/warroom/case-panel.ts'
import type { InternalDraft } from '../../src/warroom/internal-update.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = {
  caseId: string
  number: number
  severity: string
  draft: InternalDraft
  stakeholders: Stakeholders
  error?: string | null
}

/** /cases/:id/internal-update: the internal status update drafted from the case, to edit and send. */
export function InternalUpdatePage({ caseId, number, severity, draft, stakeholders, error }: Props) {
  return (
    <Layout title={`Internal update · ${caseLabel(number)}`}>
      <p class="crumbs">
        <a href={`/cases/${caseId}#war-room`}>← {caseLabel(number)}</a>
      </p>
      <h1>Internal update for {caseLabel(number)}</h1>
      <Flash error={error} />
      <p class="muted">
        Staff mail to the case’s stakeholders ({severity} list, owner, commander, collaborators); it never goes to the customer and needs no
        approval. It is logged on the case.
      </p>
      <p>
        <strong>To:</strong>{' '}
        {stakeholders.recipients.length ? stakeholders.recipients.join(', ') : <span class="warn-text">nobody yet</span>}
      </p>
      {stakeholders.withheld.length ? (
        <p class="warn-text">Withheld, because it is the customer’s: {stakeholders.withheld.join(', ')}</p>
      ) : null}
      <form method="post" action={`/cases/${caseId}/internal-update`} class="panel stack" id="internal-update">
        <label>
          Subject <input name="subject" required maxlength={300} value={draft.subject} />
        </label>
        <label>
          Update{' '}
          <textarea name="body" required maxlength={20000} rows={22}>
            {draft.body}
          </textarea>
        </label>
        <button type="submit">Send to the stakeholders</button>
      </form>
    </Layout>
  )
}
