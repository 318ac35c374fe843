import type { SessionRow, SessionsView } from '../../src/auth/session-admin.ts'
import { Flash, formatTime } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

const browsers: [RegExp, string][] = [
  [/Edg\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\//, 'Firefox'],
  [/Chrome\//, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
]
const systems: [RegExp, string][] = [
  [/iPhone|iPad/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
]

/** "Firefox on macOS" from a user agent; the full string is in the cell's title. */
export function deviceLabel(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  const browser = browsers.find(([re]) => re.test(userAgent))?.[1]
  const system = systems.find(([re]) => re.test(userAgent))?.[1]
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? 'Other device'
}

type Props = { view: SessionsView; currentId: string | null; notice?: string }

/** GET /sessions. */
export function SessionsPage({ view, currentId, notice }: Props) {
  return (
    <Layout title="Sessions">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Sessions</h1>
      <Flash notice={notice} />
      <section class="panel" id="my-sessions">
        <h2>Your sessions</h2>
        <p class="muted">Every browser signed in as you. End one you do not recognise; it is signed out at once.</p>
        <SessionTable rows={view.mine} currentId={currentId} withPerson={false} label="Your sessions" />
      </section>
      {view.everyone ? (
        <section class="panel" id="all-sessions">
          <h2>Everyone’s sessions</h2>
          <p class="muted">As an admin you can end anyone’s session. Disabling a user at Users ends all of theirs.</p>
          <SessionTable rows={view.everyone} currentId={currentId} withPerson label="Everyone’s sessions" />
        </section>
      ) : null}
    </Layout>
  )
}

function SessionTable({
  rows,
  currentId,
  withPerson,
  label,
}: {
  rows: SessionRow[]
  currentId: string | null
  withPerson: boolean
  label: string
}) {
  if (rows.length === 0) return <p>No live sessions.</p>
  return (
    <div class="table-scroll" tabindex={0} role="region" aria-label={label}>
      <table>
        <thead>
          <tr>
            {withPerson ? <th scope="col">Person</th> : null}
            <th scope="col">Device</th>
            <th scope="col">Network</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last seen</th>
            <th scope="col">
              <span class="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr>
              {withPerson ? <td class="break">{s.name ? `${s.name} <${s.email}>` : s.email}</td> : null}
              <td title={s.userAgent ?? ''}>
                {deviceLabel(s.userAgent)}
                {s.id === currentId ? <strong> (this browser)</strong> : null}
              </td>
              <td>{s.network ?? 'unknown'}</td>
              <td>
                {formatTime(s.createdAt)} <span class="muted">({s.method === 'sso' ? 'single sign-on' : 'emailed link'})</span>
              </td>
              <td>{formatTime(s.lastSeenAt)}</td>
              <td>
                <form method="post" action={`/sessions/${s.id}/revoke`} class="inline">
                  <button type="submit" class="secondary">
                    {s.id === currentId ? 'Sign out here' : 'End session'}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
