import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { caseLabel } from '../cases/terms.ts'
import { isUuid } from '../http/ids.ts'
import { withOrg, type Tx } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { requireUser } from '../http/session.ts'
import { IncidentReviewPage, IncidentReviewPrintPage } from '../../views/pages/incident-review.tsx'
import { reviewMarkdown } from './markdown.ts'
import { loadReview, saveReview, type ReviewReport } from './review.ts'
import { addPreventionAction, markPreventionAction } from './prevention.ts'
import { completeReview } from './completion.ts'
import { draftCustomerSummary } from './customer-summary.ts'
import { textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { recoveryRoutes } from '../recovery/routes.tsx'
import { patternRoutes } from '../recovery/pattern-routes.tsx'
import { reviewSettingsRoutes } from './settings-routes.tsx'

export const reviewRoutes = new Hono<AppEnv>()

const notices: Record<string, string> = {
  saved: 'Review saved.',
  unchanged: 'Nothing changed.',
  'action-added': 'Prevention action added.',
  'action-done': 'Marked done.',
  'action-open': 'Reopened.',
  completed: 'Review marked complete.',
  'summary-drafted':
    'The customer-facing summary is now the latest version of the reply: ask for approval on the case page. Nothing is sent before an approver approves it.',
}

const formOf = (c: Context<AppEnv>) => textFields(c)

/** The review of a case in the user's org (another org's case is a 404); SEV-3/4 get the short form. */
async function readable(c: Context<AppEnv>, user: SessionUser): Promise<ReviewReport> {
  const caseId = c.req.param('id') ?? ''
  const report = isUuid(caseId) ? await withOrg(c.get('deps').db, user.orgId, (tx) => loadReview(tx, user.orgId, caseId)) : null
  if (!report) throw notFound('That case')
  return report
}

reviewRoutes.get('/cases/:id/review', async (c) => {
  const user = requireUser(c)
  const report = await readable(c, user)
  return render(c, <IncidentReviewPage report={report} notice={notices[c.req.query('notice') ?? ''] ?? null} />)
})

reviewRoutes.get('/cases/:id/review.md', async (c) => {
  const user = requireUser(c)
  const report = await readable(c, user)
  return c.body(reviewMarkdown(report), 200, {
    'content-type': 'text/markdown; charset=utf-8',
    'content-disposition': `attachment; filename="${caseLabel(report.kase.number)}-review.md"`,
  })
})

reviewRoutes.get('/cases/:id/review/print', async (c) => {
  const user = requireUser(c)
  const report = await readable(c, user)
  return render(c, <IncidentReviewPrintPage report={report} />)
})

/** A review write: refusals a person can fix re-render the page with the message. */
async function write(
  c: Context<AppEnv>,
  run: (tx: Tx, user: SessionUser, caseId: string, form: Record<string, string>) => Promise<string>,
) {
  const user = requireUser(c)
  const caseId = c.req.param('id') ?? ''
  if (!isUuid(caseId)) throw notFound('That case')
  const form = await formOf(c)
  try {
    const notice = await withOrg(c.get('deps').db, user.orgId, (tx) => run(tx, user, caseId, form))
    return c.redirect(`/cases/${caseId}/review?notice=${notice}`, 303)
  } catch (error) {
    if (!(error instanceof AppError) || error.code === 'NOT_FOUND') throw error
    const report = await readable(c, user)
    return render(c, <IncidentReviewPage report={report} error={error.message} />, error.status as 400 | 409)
  }
}

reviewRoutes.post('/cases/:id/review', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  if (!isUuid(caseId)) throw notFound('That case')
  const form = await formOf(c)
  const result = await withOrg(c.get('deps').db, user.orgId, (tx) => saveReview(tx, user.orgId, caseId, user, form))
  if (result.ok) return c.redirect(`/cases/${caseId}/review?notice=${result.changed.length ? 'saved' : 'unchanged'}`, 303)
  const report = await readable(c, user)
  return render(c, <IncidentReviewPage report={report} values={result.fields} error={result.error} />, result.fields ? 409 : 400)
})

reviewRoutes.post('/cases/:id/review/complete', (c) =>
  write(c, async (tx, user, caseId) => {
    await completeReview(tx, user.orgId, caseId, user)
    return 'completed'
  }),
)

reviewRoutes.post('/cases/:id/review/summary-draft', (c) =>
  write(c, async (tx, user, caseId) => {
    await draftCustomerSummary(tx, user.orgId, caseId, user)
    return 'summary-drafted'
  }),
)

reviewRoutes.post('/cases/:id/review/actions', (c) =>
  write(c, async (tx, user, caseId, form) => {
    await addPreventionAction(tx, user.orgId, caseId, user, form)
    return 'action-added'
  }),
)

reviewRoutes.post('/cases/:id/review/actions/:actionId', (c) =>
  write(c, async (tx, user, caseId, form) => {
    const status = form.status === 'open' ? 'open' : 'done'
    await markPreventionAction(tx, user.orgId, caseId, user, c.req.param('actionId'), status)
    return `action-${status}`
  }),
)

// Issue 20's pages ride on the review routes (mounted at '/'): the recovery plan's case forms,
// the pattern view and the review requirement settings.
reviewRoutes.route('/cases', recoveryRoutes)
reviewRoutes.route('/', patternRoutes)
reviewRoutes.route('/admin/reviews', reviewSettingsRoutes)
