import { severities } from '../../src/cases/terms.ts'
import { audiences, type StakeholderList } from '../../src/warroom/queries.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

const audienceLabels = { exec: 'Executives', csm: 'Customer success (CSM)', engineering: 'Engineering' } as const

type Props = {
  lists: StakeholderList[]
  /** The form as typed (re-shown after an error), by field name. */
  values?: Record<string, string>
  error?: string | null
  notice?: string | null
}

/** /admin/stakeholders: per severity, who receives every case's internal updates besides its collaborators. */
export function StakeholderSettingsPage({ lists, values, error, notice }: Props) {
  const shown = (sev: string, audience: string) =>
    values?.[`${sev}.${audience}`] ?? lists.find((l) => l.severity === sev && l.audience === audience)?.emails.join(', ') ?? ''
  return (
    <Layout title="Stakeholder lists">
      <h1>Stakeholder lists</h1>
      <Flash error={error} notice={notice} />
      <form method="post" action="/admin/stakeholders" class="panel stack" id="stakeholder-settings">
        <p class="muted">
          Internal updates of a case go to its owner, incident commander and collaborators, and to the lists of its severity below (staff
          addresses, separated by commas or new lines; 50 a list). The playbook’s defaults: SEV-1 executives and all hands, SEV-2 manager
          and CSM, SEV-3 CSM. A customer’s own address is never sent an internal update.
        </p>
        <table>
          <thead>
            <tr>
              <th>Severity</th>
              {audiences.map((a) => (
                <th>{audienceLabels[a]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {severities.map((sev) => (
              <tr>
                <th scope="row">{sev}</th>
                {audiences.map((a) => (
                  <td>
                    <textarea name={`${sev}.${a}`} rows={2} aria-label={`${sev} ${audienceLabels[a]}`}>
                      {shown(sev, a)}
                    </textarea>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <button type="submit">Save the lists</button>
      </form>
    </Layout>
  )
}
