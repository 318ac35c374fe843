import type { UserFactorRow } from '../../src/auth/second-factor-queries.ts'
import { Flash } from '../components/parts.tsx'
import { Layout } from '../components/layout.tsx'

type Props = { users: UserFactorRow[]; required: boolean; adminId: string; notice?: string | null }

const roleCovered = (role: string) => role === 'admin' || role === 'approver'

/** /admin/second-factor: the org's requirement and each user's factors, with a reset. */
export function SecondFactorAdminPage({ users, required, adminId, notice }: Props) {
  return (
    <Layout title="Second factor">
      <p class="crumbs">
        <a href="/">← Queue</a>
      </p>
      <h1>Second factor</h1>
      <Flash notice={notice} />
      <form method="post" action="/admin/second-factor/policy" class="panel">
        <label>
          <input type="checkbox" name="required" checked={required} /> Require a second factor (authenticator app or passkey) of admins and
          approvers
        </label>
        <p class="muted">
          Asked after the emailed link at every sign-in, and by approval links. Agents may set one up; then it is asked of them too.
        </p>
        <button type="submit">Save</button>
      </form>
      <div class="table-scroll" tabindex={0} role="region" aria-label="Users' second factors">
        <table>
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Second factor</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <UserRow user={u} required={required} self={u.id === adminId} />
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  )
}

function UserRow({ user, required, self }: { user: UserFactorRow; required: boolean; self: boolean }) {
  const factors = [user.totp ? 'authenticator app' : null, user.passkeys > 0 ? `${user.passkeys} passkey(s)` : null].filter(Boolean)
  const missing = factors.length === 0 && required && roleCovered(user.role) && !user.disabled
  return (
    <tr>
      <td>
        {user.name || user.email}
        <br />
        <span class="muted">{user.email}</span>
      </td>
      <td>{user.disabled ? `${user.role} (disabled)` : user.role}</td>
      <td>{factors.length ? factors.join(', ') : missing ? 'none: asked to set one up' : 'none'}</td>
      <td>
        {factors.length && !self ? (
          <form method="post" action={`/admin/second-factor/users/${user.id}/reset`}>
            <button type="submit" class="secondary">
              Reset
            </button>
          </form>
        ) : null}
      </td>
    </tr>
  )
}
