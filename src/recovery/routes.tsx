import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { caseAction } from '../cases/routes.tsx'
import { addRecoveryItem, markRecoveryItem, recordRecoveryCheck, setRecoveryPlan } from './plan.ts'

// The recovery plan's forms on the case page: each runs as a case action (the case re-rendered
// with the answer, a refusal shown beside the form, another org's case a 404).
export const recoveryRoutes = new Hono<AppEnv>()

recoveryRoutes.post(
  '/:id/recovery',
  caseAction(async (tx, user, id, form) => {
    await setRecoveryPlan(tx, user.orgId, id, user, form)
    return 'Recovery plan saved.'
  }),
)

recoveryRoutes.post(
  '/:id/recovery/items',
  caseAction(async (tx, user, id, form) => {
    await addRecoveryItem(tx, user.orgId, id, user, form)
    return 'Recovery item added.'
  }),
)

recoveryRoutes.post('/:id/recovery/items/:itemId', (c) =>
  caseAction(async (tx, user, id, form) => {
    const status = form.status === 'open' ? 'open' : 'done'
    await markRecoveryItem(tx, user.orgId, id, user, c.req.param('itemId'), status)
    return status === 'done' ? 'Marked done.' : 'Reopened.'
  })(c),
)

recoveryRoutes.post(
  '/:id/recovery/check',
  caseAction(async (tx, user, id, form) => {
    await recordRecoveryCheck(tx, user.orgId, id, user, form)
    return 'The 90-day check is recorded.'
  }),
)
