import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { requireRole } from '../http/session.ts'
import { DraftingSettingsPage } from '../../views/pages/draft-settings.tsx'
import { loadDraftSettings, updateDraftSettings, type OrgDraftSettings } from './settings.ts'
import { fieldErrors, textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'

/** /admin/drafting: AI on or off for the org, and who signs the drafts. */
export const draftSettingsRoutes = new Hono<AppEnv>()

const formSchema = z.object({
  ai_enabled: z
    .enum(['on'])
    .optional()
    .transform((v) => v === 'on'),
  sender_name: z.string().trim().max(200, 'Keep the name under 200 characters.').default(''),
  signature: z
    .string()
    .default('')
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(1000, 'Keep the signature under 1,000 characters.')),
})

draftSettingsRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  const settings = await withOrg(c.get('deps').db, user.orgId, (tx) => loadDraftSettings(tx, user.orgId))
  return render(c, <DraftingSettingsPage settings={settings} keyConfigured={Boolean(c.get('deps').env.OPENAI_API_KEY)} />)
})

draftSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = formSchema.safeParse(form)
  const keyConfigured = Boolean(c.get('deps').env.OPENAI_API_KEY)
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error)
    const settings: OrgDraftSettings = {
      ai_enabled: form.ai_enabled === 'on',
      sender_name: String(form.sender_name ?? ''),
      signature: String(form.signature ?? ''),
    }
    return render(c, <DraftingSettingsPage settings={settings} keyConfigured={keyConfigured} errors={errors} />, 422)
  }
  await withOrg(c.get('deps').db, user.orgId, (tx) => updateDraftSettings(tx, user.orgId, parsed.data, user.id))
  return render(
    c,
    <DraftingSettingsPage settings={parsed.data} keyConfigured={keyConfigured} notice="Saved. New drafts use these settings." />,
  )
})
