import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { render } from '../http/htmx.ts'
import { requireRole } from '../http/session.ts'
import { OrganizationPage } from '../../views/pages/organization.tsx'
import { loadOrgPage, saveSection, type Section } from './organization-page.ts'

/** /admin/organization: the org's name, addresses, domains, executives, approvers and sender. */
export const organizationRoutes = new Hono<AppEnv>()

const sections: readonly Section[] = ['profile', 'inbound', 'domains', 'executives', 'sender', 'approvers']

async function show(
  c: Context<AppEnv>,
  extra: { notice?: string; section?: Section; errors?: Record<string, string>; values?: Record<string, unknown> } = {},
  status: 200 | 422 = 200,
) {
  const admin = requireRole(c, 'admin')
  const { db, env } = c.get('deps')
  return render(c, <OrganizationPage page={await loadOrgPage(db, env, admin.orgId)} {...extra} />, status)
}

const sectionNames: Record<Section, string> = {
  profile: 'the name and time zone',
  inbound: 'the inbound addresses',
  domains: 'the domains',
  executives: 'the executives',
  sender: 'the sender and signature',
  approvers: 'the approvers',
}

// After a save the page says so in fixed words (a notice taken from the URL could be anyone's text).
organizationRoutes.get('/', (c) => {
  const saved = c.req.query('saved') as Section | undefined
  const unchanged = c.req.query('unchanged') === '1'
  const notice =
    saved && sections.includes(saved)
      ? unchanged
        ? `Nothing changed in ${sectionNames[saved]}.`
        : `Saved ${sectionNames[saved]}.`
      : undefined
  return show(c, { notice })
})

// One form per section, each its own path.
for (const section of sections) {
  organizationRoutes.post(`/${section}`, async (c) => {
    const admin = requireRole(c, 'admin')
    const form = await c.req.parseBody({ all: true })
    const result = await saveSection(c.get('deps').db, admin, section, form)
    // A refused form comes back with what was typed and the problem beside its field.
    if (!result.ok) return show(c, { section, errors: result.errors, values: form }, 422)
    return c.redirect(`/admin/organization?saved=${section}${result.changed ? '' : '&unchanged=1'}#${section}`, 303)
  })
}
