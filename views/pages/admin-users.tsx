import type { SessionUser } from '../../src/auth/sessions.ts'
import type { UserRow } from '../../src/users/queries.ts'
import { userRoles } from '../../src/users/users.ts'
import { INVITATION_HOURS } from '../../src/users/invite.ts'
import { Layout, useNonce } from '../components/layout.tsx'

export type NewUserForm = {
  values?: { email?: string; name?: string; role?: string }
  errors?: Partial<Record<'email' | 'name' | 'role', string>>
}
export type PanelProps = { users: UserRow[]; me: SessionUser; form?: NewUserForm; notice?: string; sent?: string }

export function AdminUsersPage({ ...panel }: PanelProps) {
  return (
    <Layout title="Users" user={panel.me}>
      <h1>Users</h1>
      <UsersPanel {...panel} />
    </Layout>
  )
}

/**
 * The fragment every form on the page answers with under htmx (whole page otherwise). The target
 * and swap are inherited explicitly (htmx 4 does not inherit implicitly).
 */
export function UsersPanel({ users, me, form = {}, notice, sent }: PanelProps) {
  return (
    <section id="users-panel" hx-target:inherited="#users-panel" hx-swap:inherited="outerHTML" hx-nonce={useNonce()}>
      {notice ? (
        <p class="error" role="alert">
          {notice}
        </p>
      ) : null}
      {sent ? (
        <p class="flash notice" role="status">
          Invitation sent to {sent}: a single-use sign-in link, valid {INVITATION_HOURS} hours.
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <UserLine u={u} me={me} />
          ))}
        </tbody>
      </table>
      <AddUserForm form={form} me={me} />
    </section>
  )
}

/** One user: their role (changeable but for oneself and the disabled), invitation and disabling. */
function UserLine({ u, me }: { u: UserRow; me: SessionUser }) {
  return (
    <tr id={`user-${u.id}`}>
      <td>{u.name}</td>
      <td>{u.email}</td>
      <td>
        {u.id === me.id || u.disabledAt ? (
          u.role
        ) : (
          <form
            method="post"
            action={`/admin/users/${u.id}/role`}
            hx-post={`/admin/users/${u.id}/role`}
            hx-nonce={useNonce()}
            class="inline"
          >
            <RoleSelect name="role" selected={u.role} label={`Role of ${u.email}`} />
            <button type="submit" class="small">
              Save
            </button>
          </form>
        )}
      </td>
      <td>{u.disabledAt ? <span class="muted">Disabled</span> : 'Active'}</td>
      <td>
        {u.id === me.id || u.disabledAt ? null : (
          <form
            method="post"
            action={`/admin/users/${u.id}/invite`}
            hx-post={`/admin/users/${u.id}/invite`}
            hx-nonce={useNonce()}
            class="inline"
          >
            <button type="submit" class="small">
              Send invitation
            </button>
          </form>
        )}
        {u.id === me.id || u.disabledAt ? null : (
          <form
            method="post"
            action={`/admin/users/${u.id}/disable`}
            hx-post={`/admin/users/${u.id}/disable`}
            hx-nonce={useNonce()}
            hx-confirm={`Disable ${u.email}? They are signed out everywhere at once.`}
            class="inline"
          >
            <button type="submit" class="small danger">
              Disable
            </button>
          </form>
        )}
      </td>
    </tr>
  )
}

function AddUserForm({ form, me }: { form: NewUserForm; me: SessionUser }) {
  return (
    <form method="post" action="/admin/users" hx-post="/admin/users" hx-nonce={useNonce()} class="panel add-user">
      <h2>Add a user</h2>
      <Field name="email" label="Email" type="email" form={form} />
      <Field name="name" label="Name" type="text" form={form} />
      <label for="new-role">Role</label>
      <RoleSelect name="role" id="new-role" selected={form.values?.role ?? 'agent'} />
      {form.errors?.role ? <p class="field-error">{form.errors.role}</p> : null}
      <button type="submit">Add user</button>
      <p class="muted">
        They get an invitation by email: a single-use sign-in link to {me.orgName}, valid {INVITATION_HOURS} hours. Later they ask for a
        link at /sign-in with this address.
      </p>
    </form>
  )
}

function Field({ name, label, type, form }: { name: 'email' | 'name'; label: string; type: string; form: NewUserForm }) {
  const error = form.errors?.[name]
  return (
    <>
      <label for={`new-${name}`}>{label}</label>
      <input
        id={`new-${name}`}
        name={name}
        type={type}
        required
        maxlength={name === 'email' ? 320 : 200}
        value={form.values?.[name] ?? ''}
        aria-invalid={error ? 'true' : undefined}
      />
      {error ? <p class="field-error">{error}</p> : null}
    </>
  )
}

function RoleSelect({ name, selected, id, label }: { name: string; selected: string; id?: string; label?: string }) {
  return (
    <select name={name} id={id} aria-label={label}>
      {userRoles.map((r) => (
        <option value={r} selected={r === selected}>
          {r}
        </option>
      ))}
    </select>
  )
}
