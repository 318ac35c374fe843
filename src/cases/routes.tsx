import { Hono, type Context } from 'hono'
import { userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg, type Tx } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { framedHtmlHeaders, sanitizeEmailHtmlBounded } from '../http/sanitize.ts'
import { inlineImagesOf } from '../attachments/inline-images.ts'
import { requireUser } from '../http/session.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { CaseBody, CasePage, type CaseView } from '../../views/pages/case.tsx'
import { NewCasePage } from '../../views/pages/new-case.tsx'
import { createCaseFromForm, newCaseSchema } from './create.ts'
import { findMessageHtml, getCaseDetail, listTeam, listThread, listTimeline } from './detail.ts'
import { caseIdByNumber, caseNumberIn } from './find.ts'
import { listEarlierEscalations } from './repeats.ts'
import { caseLabel, isSeverity, isStatus, statusLabel } from './terms.ts'
import { isUuid } from '../http/ids.ts'
import { changeStatus } from './lifecycle.ts'
import { addNote } from './notes.ts'
import { acknowledgeCase, assignOwner } from './ownership.ts'
import { changeSeverity } from './severity.ts'
import { listMergedCases, mergeCases, mergePreview, mergeSource, readMergeForm, refuseMergedCase, survivingCaseId } from './merge.ts'
import { MergeConfirmPage, MergedHistoryPage } from '../../views/case/merge.tsx'
import { confirmExecutive, correctCustomer, correctReference, correctSource, listIntakeExamples, recordExample } from './corrections.ts'
import { exampleContentType, exampleFormats, formatExamples } from './examples.ts'
import { loadCaseDrafts } from '../drafts/case-drafts.ts'
import { loadCaseApprovals } from '../approvals/case-approvals.ts'
import { loadCaseReviewPanel } from '../reviews/case-panel.ts'
import { loadWarRoomPanel } from '../warroom/case-panel.ts'
import { fieldErrors, textFields } from '../http/forms.ts'
import { isHtmx, pageOrFragment, render } from '../http/htmx.ts'

export const caseRoutes = new Hono<AppEnv>()

async function loadView(tx: Tx, caseId: string, user: SessionUser, mailFrom: string): Promise<CaseView | null> {
  const kase = await getCaseDetail(tx, caseId)
  if (!kase) return null
  const [thread, timeline, team, history, draft, approval, reviewPanel] = await Promise.all([
    listThread(tx, caseId),
    listTimeline(tx, caseId),
    listTeam(tx),
    listEarlierEscalations(tx, caseId),
    loadCaseDrafts(tx, caseId, mailFrom),
    loadCaseApprovals(tx, caseId),
    loadCaseReviewPanel(tx, caseId),
  ])
  const now = new Date()
  const warRoom = await loadWarRoomPanel(tx, user.orgId, caseId, kase.ownerId, now)
  return { kase, thread, timeline, team, history, draft, approval, reviewPanel, warRoom, user, now }
}

caseRoutes.get('/new', (c) => {
  const user = requireUser(c)
  return render(c, <NewCasePage values={{}} errors={{}} />)
})

caseRoutes.post('/', async (c) => {
  const user = requireUser(c)
  const form = await textFields(c)
  const parsed = newCaseSchema.safeParse(form)
  if (!parsed.success) {
    return render(c, <NewCasePage values={form} errors={fieldErrors(parsed.error)} />, 422)
  }
  const { db } = c.get('deps')
  const kase = await withOrg(db, user.orgId, (tx) => createCaseFromForm(tx, user.orgId, parsed.data, userActor(user)))
  if (!kase.created) {
    const errors = { externalRef: `${caseLabel(kase.number)} already has this reference; add to that case instead.` }
    return render(c, <NewCasePage values={form} errors={errors} />, 409)
  }
  return c.redirect(`/cases/${kase.id}`, 303)
})

// The labelled examples (corrections to intake) as a file, for admins. Registered before /:id,
// which would otherwise take the file name for a case id.
for (const format of exampleFormats) {
  caseRoutes.get(`/intake-examples.${format}`, async (c) => {
    const user = requireUser(c)
    if (user.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin can download the intake examples.')
    const examples = await withOrg(c.get('deps').db, user.orgId, (tx) => listIntakeExamples(tx))
    return c.body(formatExamples(examples, format), 200, {
      'content-type': exampleContentType[format],
      'content-disposition': `attachment; filename="intake-examples.${format}"`,
    })
  })
}

caseRoutes.get('/:id', async (c) => {
  const user = requireUser(c)
  // "/cases/ESC-1042": the number people say and write opens the case.
  const number = caseNumberIn(c.req.param('id'))
  if (number !== null) {
    const id = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
      const found = await caseIdByNumber(tx, number)
      return found && ((await survivingCaseId(tx, found)) ?? found)
    })
    if (!id) throw notFound('That case')
    return c.redirect(`/cases/${id}`, 302)
  }
  // A merged case's page is its survivor's (sql/00025).
  const view = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    const survivor = await survivingCaseId(tx, c.req.param('id'))
    return survivor ? { survivor } : loadView(tx, c.req.param('id'), user, c.get('deps').env.MAIL_FROM)
  })
  if (view && 'survivor' in view) return c.redirect(`/cases/${view.survivor}?notice=merged`, 302)
  if (!view) throw notFound('That case')
  return render(c, <CasePage {...view} notice={notices[c.req.query('notice') ?? ''] ?? null} />)
})

// After a redirect (POST → 303 → GET): a fixed vocabulary, so nothing from the URL is echoed.
const notices: Record<string, string> = {
  'approval-requested': 'Approval requested: each approver has been emailed a link.',
  approved: "Approved: the reply is being sent in the customer's thread.",
  rejected: 'Rejected: the owner sees your note.',
  merged: 'That case was merged into this one: its thread and notes are here.',
  'internal-update': 'Internal update sent to the stakeholders.',
}

caseRoutes.get('/:id/messages/:messageId/html', async (c) => {
  const user = requireUser(c)
  const [html, images] = await withOrg(c.get('deps').db, user.orgId, (tx) =>
    Promise.all([
      findMessageHtml(tx, c.req.param('id'), c.req.param('messageId')),
      inlineImagesOf(tx, c.req.param('id'), c.req.param('messageId')),
    ]),
  )
  if (!html) throw notFound('That message')
  const safe =
    sanitizeEmailHtmlBounded(html, images) ??
    "<p><em>This message's formatting is too large or too complex to show safely. Its text is shown on the case page.</em></p>"
  const page = `<!doctype html><meta charset="utf-8"><base target="_blank"><body style="font-family:system-ui,sans-serif;margin:8px">${safe}</body>`
  return c.body(page, 200, framedHtmlHeaders)
})

type Action = (tx: Tx, user: SessionUser, caseId: string, form: Record<string, string>) => Promise<string>

/**
 * Runs one case action in the user's org. A refusal a person can fix (a missing reason, a
 * locked owner) re-renders the case with the message; a case of another org stays a 404.
 */
export function caseAction(run: Action) {
  return async (c: Context<AppEnv>) => {
    const user = requireUser(c)
    const caseId = c.req.param('id')!
    // A malformed id would reach lockCase as an invalid uuid (a 500): it is simply not found.
    if (!isUuid(caseId)) throw notFound('That case')
    const { db } = c.get('deps')
    const form = await textFields(c)
    let error: string | null = null
    let notice: string | null = null
    let status: 200 | 400 | 403 | 409 = 200
    try {
      notice = await withOrg(db, user.orgId, async (tx) => {
        // A page open from before a merge: its case lives on elsewhere now (sql/00025).
        await refuseMergedCase(tx, caseId)
        return run(tx, user, caseId, form)
      })
    } catch (e) {
      if (!(e instanceof AppError) || e.code === 'NOT_FOUND') throw e
      error = e.message
      status = e.status as 400 | 403 | 409
    }
    if (!isHtmx(c) && !error) return c.redirect(`/cases/${caseId}`, 303)
    const view = await withOrg(db, user.orgId, (tx) => loadView(tx, caseId, user, c.get('deps').env.MAIL_FROM))
    if (!view) throw notFound('That case')
    return pageOrFragment(c, <CasePage {...view} error={error} />, <CaseBody {...view} error={error} notice={notice} />, status)
  }
}

caseRoutes.post(
  '/:id/assign',
  caseAction(async (tx, user, id, form) => {
    if (!form.ownerId || !isUuid(form.ownerId)) throw new AppError('BAD_INPUT', 'Choose the accountable owner.')
    await assignOwner(tx, user.orgId, id, form.ownerId, user, form.reason)
    return 'Owner assigned.'
  }),
)

caseRoutes.post(
  '/:id/acknowledge',
  caseAction(async (tx, user, id) => {
    await acknowledgeCase(tx, user.orgId, id, user)
    return 'Acknowledged: the team knows you have it.'
  }),
)

caseRoutes.post(
  '/:id/severity',
  caseAction(async (tx, user, id, form) => {
    if (!isSeverity(form.severity)) throw new AppError('BAD_INPUT', 'Choose a severity from SEV-1 to SEV-4.')
    await changeSeverity(tx, user.orgId, id, form.severity, userActor(user), form.reason)
    await recordExample(tx, user.orgId, id, 'severity', form.severity, user)
    return `Severity is now ${form.severity}; the clocks were recomputed.`
  }),
)

caseRoutes.post(
  '/:id/status',
  caseAction(async (tx, user, id, form) => {
    if (!isStatus(form.status)) throw new AppError('BAD_INPUT', 'Choose the new status.')
    await changeStatus(tx, user.orgId, id, userActor(user), { to: form.status, reason: form.reason, reviewOverride: form.reviewOverride })
    return `Moved to ${statusLabel(form.status)}.`
  }),
)

caseRoutes.post(
  '/:id/notes',
  caseAction(async (tx, user, id, form) => {
    await addNote(tx, user.orgId, id, user, form.text ?? '')
    return 'Note added.'
  }),
)

// One click per field: each correction is audited and kept as a labelled example.
caseRoutes.post(
  '/:id/correct/customer',
  caseAction((tx, user, id, form) => correctCustomer(tx, user.orgId, id, user, form)),
)
caseRoutes.post(
  '/:id/correct/source',
  caseAction((tx, user, id, form) => correctSource(tx, user.orgId, id, user, form.source)),
)
caseRoutes.post(
  '/:id/correct/reference',
  caseAction((tx, user, id, form) => correctReference(tx, user.orgId, id, user, form.externalRef)),
)
caseRoutes.post(
  '/:id/executive',
  caseAction((tx, user, id) => confirmExecutive(tx, user.orgId, id, user)),
)

// Merging one case into another (src/cases/merge.ts): the form, then a page naming both cases,
// then the merge, which opens the surviving case. A refusal shows that page again with its line.
caseRoutes.post('/:id/merge', async (c) => {
  const user = requireUser(c)
  const fromId = c.req.param('id')
  if (!isUuid(fromId)) throw notFound('That case')
  const { db } = c.get('deps')
  const form = await textFields(c)
  const values = { into: form.into ?? '', reason: form.reason ?? '' }
  let error: string | null = null
  let status: 200 | 400 | 403 | 404 | 409 = 200
  try {
    const request = readMergeForm(form)
    if (form.confirm === 'yes') {
      const merged = await withOrg(db, user.orgId, (tx) => mergeCases(tx, user.orgId, fromId, request, user))
      return c.redirect(`/cases/${merged.into.id}?notice=merged`, 303)
    }
    if (user.role !== 'approver' && user.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an approver or admin can merge cases.')
    const preview = await withOrg(db, user.orgId, (tx) => mergePreview(tx, fromId, request.intoNumber))
    if (!preview.into) throw new AppError('NOT_FOUND', `There is no case ${caseLabel(request.intoNumber)}.`)
    return render(c, <MergeConfirmPage from={preview.from} into={preview.into} values={values} />)
  } catch (e) {
    if (!(e instanceof AppError)) throw e
    error = e.message
    status = e.status as typeof status
  }
  // The case on the page must be this org's: another org's stays a plain 404 (promise 5).
  const from = await withOrg(db, user.orgId, (tx) => mergeSource(tx, fromId))
  return render(c, <MergeConfirmPage from={from} into={null} values={values} error={error} />, status)
})

caseRoutes.get('/:id/merged', async (c) => {
  const user = requireUser(c)
  const id = c.req.param('id')
  const found = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    const kase = await getCaseDetail(tx, id)
    return kase ? { kase, merged: await listMergedCases(tx, kase.id) } : null
  })
  if (!found) throw notFound('That case')
  return render(c, <MergedHistoryPage kase={found.kase} merged={found.merged} />)
})
