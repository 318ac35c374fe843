// Saved views: a named queue filter, the user's own or shared with the org (sql/00026). The
// filter is the queue's query string, so opening a saved view is opening its URL.
import { z } from 'zod'
import type { DbOrTx } from '../db.ts'
import { AppError } from '../http/errors.ts'

export type SavedView = { id: string; name: string; query: string; shared: boolean; mine: boolean }

/** Views this user sees: their own and the org's shared ones, shared first, by name. */
export async function listSavedViews(db: DbOrTx, userId: string): Promise<SavedView[]> {
  return db<SavedView[]>`
    select id, name, query, shared, owner_id = ${userId} as mine from saved_views
    where owner_id = ${userId} or shared
    order by shared desc, lower(name)`
}

export const saveViewSchema = z.object({
  name: z
    .string()
    .transform((s) => s.replace(/\s+/g, ' ').trim())
    .pipe(z.string().min(1, 'Name the view.').max(60, 'Keep the name under 60 characters.')),
  query: z
    .string()
    .transform((s) => s.replace(/^\?/, ''))
    .pipe(
      z
        .string()
        .max(500)
        .regex(/^[^\s#]*$/, 'That is not a queue filter.'),
    ),
  shared: z.literal('1').optional(),
})

/** Saves the current filter under a name; sharing it with the org takes an approver or admin. */
export async function saveView(
  db: DbOrTx,
  user: { id: string; orgId: string; role: string },
  input: z.infer<typeof saveViewSchema>,
): Promise<void> {
  const shared = input.shared === '1'
  if (shared && user.role !== 'approver' && user.role !== 'admin')
    throw new AppError('FORBIDDEN', 'Only an approver or an admin can share a view with everyone.')
  const rows = await db`
    insert into saved_views (org_id, owner_id, name, query, shared)
    values (${user.orgId}, ${user.id}, ${input.name}, ${input.query}, ${shared})
    on conflict (org_id, owner_id, lower(name)) do nothing
    returning id`
  if (rows.length === 0) throw new AppError('CONFLICT', `You already have a view called “${input.name}”. Pick another name.`)
}

/** Deletes a view of the user's own (a shared one too, by its owner or an admin). */
export async function deleteView(db: DbOrTx, user: { id: string; role: string }, id: string): Promise<void> {
  const rows = await db`
    delete from saved_views where id = ${id} and (owner_id = ${user.id} or (shared and ${user.role === 'admin'}))
    returning id`
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'That view does not exist, or is not yours to delete.')
}
