import { Hono, type Context } from 'hono'
import type { SessionUser } from '../auth/sessions.ts'
import { getCaseDetail, listTeam } from '../cases/detail.ts'
import { caseAction } from '../cases/routes.tsx'
import { refuseMergedCase } from '../cases/merge.ts'
import { withOrg } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { AppError, notFound } from '../http/errors.ts'
import { textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { isUuid } from '../http/ids.ts'
import { requireRole, requireUser } from '../http/session.ts'
import { InternalUpdatePage } from '../../views/case/war-room-update.tsx'
import { StakeholderSettingsPage } from '../../views/case/war-room-settings.tsx'
import { loadWarRoomPanel } from './case-panel.ts'
import { draftInternalUpdate, parseInternalUpdate, sendInternalUpdate, type InternalDraft } from './internal-update.ts'
import { listStakeholderLists } from './queries.ts'
import { parseStakeholderForm, updateStakeholderLists } from './stakeholders.ts'
import { addCollaborator, removeCollaborator, setChecklistStep, updateWarRoom } from './war-room.ts'

/** The war room's forms on the case page and the internal-update composer (mounted at /cases). */
export const warRoomRoutes = new Hono<AppEnv>()

warRoomRoutes.post(
  '/:id/war-room',
  caseAction((tx, user, id, form) => updateWarRoom(tx, user.orgId, id, user, form)),
)
warRoomRoutes.post(
  '/:id/war-room/collaborators',
  caseAction((tx, user, id, form) => addCollaborator(tx, user.orgId, id, user, form.userId ?? '')),
)
warRoomRoutes.post(
  '/:id/war-room/collaborators/remove',
  caseAction((tx, user, id, form) => removeCollaborator(tx, user.orgId, id, user, form.userId ?? '')),
)
warRoomRoutes.post(
  '/:id/war-room/checklist',
  caseAction((tx, user, id, form) => setChecklistStep(tx, user.orgId, id, user, form)),
)

/** The composer: the draft is made from the case as it is now (nothing is stored until it is sent). */
async function showComposer(c: Context<AppEnv>, user: SessionUser, caseId: string, typed?: InternalDraft, error?: string) {
  const { db, env } = c.get('deps')
  const now = new Date()
  const page = await withOrg(db, user.orgId, async (tx) => {
    const kase = await getCaseDetail(tx, caseId)
    if (!kase) return null
    const panel = await loadWarRoomPanel(tx, user.orgId, caseId, kase.ownerId, now)
    const draft = typed ?? draftInternalUpdate(kase, panel, await listTeam(tx), now, env.PUBLIC_URL)
    return { caseId, number: kase.number, severity: kase.severity, draft, stakeholders: panel.stakeholders }
  })
  if (!page) throw notFound('That case')
  return render(c, <InternalUpdatePage {...page} error={error} />, error ? 400 : 200)
}

warRoomRoutes.get('/:id/internal-update', (c) => showComposer(c, requireUser(c), c.req.param('id')))

warRoomRoutes.post('/:id/internal-update', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  if (!isUuid(caseId)) throw notFound('That case')
  const form = await textFields(c)
  const typed = { subject: form.subject ?? '', body: form.body ?? '' }
  try {
    const draft = parseInternalUpdate(form)
    await withOrg(c.get('deps').db, user.orgId, async (tx) => {
      await refuseMergedCase(tx, caseId)
      await sendInternalUpdate(tx, user.orgId, caseId, user, draft)
    })
  } catch (e) {
    if (!(e instanceof AppError) || e.code === 'NOT_FOUND') throw e
    return showComposer(c, user, caseId, typed, e.message)
  }
  return c.redirect(`/cases/${caseId}?notice=internal-update#war-room`, 303)
})

/** /admin/stakeholders: the per-severity stakeholder lists (admins). */
export const stakeholderSettingsRoutes = new Hono<AppEnv>()

stakeholderSettingsRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  const lists = await withOrg(c.get('deps').db, user.orgId, (tx) => listStakeholderLists(tx))
  return render(c, <StakeholderSettingsPage lists={lists} notice={c.req.query('saved') ? 'Stakeholder lists saved.' : null} />)
})

stakeholderSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = parseStakeholderForm(form)
  const { db } = c.get('deps')
  if (!parsed.ok) {
    const lists = await withOrg(db, user.orgId, (tx) => listStakeholderLists(tx))
    return render(c, <StakeholderSettingsPage lists={lists} values={form} error={parsed.error} />, 422)
  }
  await withOrg(db, user.orgId, (tx) => updateStakeholderLists(tx, user.orgId, user, parsed.lists))
  return c.redirect('/admin/stakeholders?saved=1', 303)
})
