import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { requireRole } from '../http/session.ts'
import { formText, textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { findOrgById } from '../orgs/queries.ts'
import { TicketCountsPage } from '../../views/pages/ticket-counts.tsx'
import { TemplateEditorPage, TemplatesPage } from '../../views/pages/playbook-templates.tsx'
import { listCurrentTemplates, listTemplateVersions, listTicketCounts } from './queries.ts'
import { parseMonthCount, parseTicketCsv, saveTicketCounts } from './ticket-counts.ts'
import { normalizeTemplateBody, saveTemplate } from './templates.ts'
import { houseKinds, playbookTemplates, type HouseKind } from './template-fields.ts'
import { previewTemplate } from './preview.ts'

// Admins only: the escalation rate's ticket counts, and the team's templates.
export const playbookRoutes = new Hono<AppEnv>()

const MAX_CSV_BYTES = 64 * 1024
const MAX_TEMPLATE_CHARS = 20_000

async function ticketPage(
  c: Context<AppEnv>,
  extra: { notice?: string; errors?: string[]; month?: string; tickets?: string },
  status: 200 | 422 = 200,
) {
  const user = requireRole(c, 'admin')
  const counts = await withOrg(c.get('deps').db, user.orgId, (tx) => listTicketCounts(tx))
  return render(c, <TicketCountsPage counts={counts} {...extra} />, status)
}

playbookRoutes.get('/ticket-counts', (c) => ticketPage(c, {}))

playbookRoutes.post('/ticket-counts', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = parseMonthCount(formText(form, 'month'), formText(form, 'tickets'))
  if ('error' in parsed) return ticketPage(c, { errors: [parsed.error], month: form.month, tickets: form.tickets }, 422)
  await withOrg(c.get('deps').db, user.orgId, (tx) => saveTicketCounts(tx, user.orgId, user, [parsed], 'form'))
  return ticketPage(c, { notice: `Saved: ${parsed.tickets.toLocaleString('en')} tickets in ${parsed.month}.` })
})

playbookRoutes.post('/ticket-counts/import', async (c) => {
  const user = requireRole(c, 'admin')
  const body = await c.req.parseBody()
  const file = body.file instanceof File && body.file.size > 0 ? body.file : null
  if (file && file.size > MAX_CSV_BYTES)
    return ticketPage(c, { errors: ['That file is over 64 KB: a month,count file is a few lines.'] }, 422)
  const text = file ? await file.text() : typeof body.csv === 'string' ? body.csv.slice(0, MAX_CSV_BYTES) : ''
  if (!text.trim()) return ticketPage(c, { errors: ['Choose a CSV file of month,count lines, or paste them.'] }, 422)
  const parsed = parseTicketCsv(text)
  if (!parsed.ok) return ticketPage(c, { errors: parsed.errors }, 422)
  await withOrg(c.get('deps').db, user.orgId, (tx) => saveTicketCounts(tx, user.orgId, user, parsed.rows, 'csv'))
  return ticketPage(c, { notice: `Imported ${parsed.rows.length} ${parsed.rows.length === 1 ? 'month' : 'months'}.` })
})

playbookRoutes.get('/templates', async (c) => {
  const user = requireRole(c, 'admin')
  const current = await withOrg(c.get('deps').db, user.orgId, (tx) => listCurrentTemplates(tx))
  return render(c, <TemplatesPage current={current} />)
})

type EditorState = { body?: string; notice?: string; error?: string; previewing?: boolean }

async function editorPage(c: Context<AppEnv>, kind: HouseKind, state: EditorState, status: 200 | 422 = 200) {
  const user = requireRole(c, 'admin')
  const { versions, org } = await withOrg(c.get('deps').db, user.orgId, async (tx) => ({
    versions: await listTemplateVersions(tx, kind),
    org: await findOrgById(tx, user.orgId),
  }))
  const body = state.body ?? versions[0]?.body ?? playbookTemplates[kind]
  const preview = previewTemplate(body, org?.name ?? 'Your organization')
  return render(c, <TemplateEditorPage kind={kind} body={body} versions={versions} preview={preview} {...state} />, status)
}

// One literal path per kind (no :kind parameter): an unknown kind is simply not a route (404).
for (const kind of houseKinds) {
  playbookRoutes.get(`/templates/${kind}`, (c) => editorPage(c, kind, {}))
  playbookRoutes.post(`/templates/${kind}`, (c) => saveOrPreview(c, kind))
}

// One form, two buttons: Preview shows the text filled with a sample case and stores nothing;
// Save stores it as the next version.
async function saveOrPreview(c: Context<AppEnv>, kind: HouseKind) {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const body = normalizeTemplateBody(formText(form, 'body'))
  if (!body)
    return editorPage(c, kind, { body, error: 'The template is empty: write the text, or leave the page to keep the current one.' }, 422)
  if (body.length > MAX_TEMPLATE_CHARS) return editorPage(c, kind, { body, error: 'Keep the template under 20,000 characters.' }, 422)
  if (form.intent === 'preview') return editorPage(c, kind, { body, previewing: true })
  const saved = await withOrg(c.get('deps').db, user.orgId, (tx) => saveTemplate(tx, user.orgId, user, kind, body))
  return editorPage(c, kind, {
    body,
    notice: saved.ok
      ? `Saved as version ${saved.version}. New drafts of this kind use it.`
      : 'Nothing changed: this is the version in use.',
  })
}
