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
      {/* A list, not a table: long names and addresses wrap (main li) instead of scrolling sideways. */}
      <h2>Users</h2>
      <ul class="stack">
        {users.map((u) => (
          <UserItem user={u} required={required} self={u.id === adminId} />
        ))}
      </ul>
    </Layout>
  )
}

function UserItem({ user, required, self }: { user: UserFactorRow; required: boolean; self: boolean }) {
  const factors = [user.totp ? 'authenticator app' : null, user.passkeys > 0 ? `${user.passkeys} passkey(s)` : null].filter(Boolean)
  const missing = factors.length === 0 && required && roleCovered(user.role) && !user.disabled
  return (
    <li>
      <strong>{user.name || user.email}</strong> <span class="muted">{user.email}</span> ·{' '}
      {user.disabled ? `${user.role} (disabled)` : user.role} · second factor:{' '}
      {factors.length ? factors.join(', ') : missing ? 'none: asked to set one up' : 'none'}
      {factors.length && !self ? (
        <form method="post" action={`/admin/second-factor/users/${user.id}/reset`} class="inline">
          {' '}
          <button type="submit" class="secondary">
            Reset
          </button>
        </form>
      ) : null}
    </li>
  )
}
