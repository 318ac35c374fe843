import { Hono, type Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { userActor } from '../audit/audit.ts'
import { withOrg } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { fieldErrors, textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { clientAddress } from '../http/security.ts'
import { requireRole } from '../http/session.ts'
import { findOrgBySlug } from '../orgs/queries.ts'
import { openSecret, secretHint, UnsealError } from '../secrets/sealed.ts'
import { SsoProblemPage, SsoStartPage, type SsoStartState } from '../../views/pages/sso-sign-in.tsx'
import { SsoSettingsPage, type SsoSettingsView } from '../../views/pages/sso-settings.tsx'
import type { SessionUser } from './sessions.ts'
import { finishSsoSignIn, SSO_ATTEMPT_SECONDS, SSO_COOKIE, ssoCallbackUrl, startSsoSignIn } from './oidc.ts'
import { domainOf } from './oidc-policy.ts'
import { findIdleMinutes, findSsoOrgsByDomain, findSsoSettings, listEnabledAdmins } from './oidc-queries.ts'
import { saveSsoSettings, ssoFormSchema } from './oidc-settings.ts'
import { networkSummary } from './session-admin.ts'
import { invalidateSession, SESSION_COOKIE, sessionCookieOptions } from './sessions.ts'

/** /sign-in/sso (start, by org or by address) and its callback from the provider. */
export const ssoSignInRoutes = new Hono<AppEnv>()

const slugField = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
const emailField = z.email().max(320)
// Path=/sign-in/sso: the flow cookie goes only to these routes. SameSite=Lax: the provider's
// redirect back is a top-level GET, which Lax cookies accompany.
const flowCookie = {
  httpOnly: true,
  secure: true,
  sameSite: 'Lax',
  path: '/sign-in/sso',
} as const

const startPage = (c: Context<AppEnv>, state: SsoStartState, status: 200 | 404 | 422 = 200) =>
  render(c, <SsoStartPage state={state} />, status)

ssoSignInRoutes.get('/', async (c) => {
  const slug = slugField.safeParse(c.req.query('org'))
  if (!slug.success) return startPage(c, { orgs: [] })
  const org = await findOrgBySlug(c.get('deps').db, slug.data)
  if (!org) return render(c, <SsoProblemPage reason="unknown_org" />, 404)
  return startPage(c, { orgs: [{ slug: org.slug, name: org.name }] })
})

ssoSignInRoutes.post('/', async (c) => {
  const deps = c.get('deps')
  const form = await textFields(c)
  const slug = slugField.safeParse(form.org)
  if (!slug.success) {
    const raw = String(form.email ?? '').trim()
    const email = emailField.safeParse(raw)
    if (!email.success)
      return startPage(
        c,
        {
          orgs: [],
          email: raw.slice(0, 320),
          error: 'Enter an email address like name@company.com.',
        },
        422,
      )
    const orgs = await findSsoOrgsByDomain(deps.db, domainOf(email.data))
    if (orgs.length === 0) {
      return startPage(
        c,
        {
          orgs: [],
          email: email.data,
          error: 'No organization signs in with single sign-on for that address. Ask for an emailed link instead.',
        },
        422,
      )
    }
    if (orgs.length > 1) return startPage(c, { orgs })
    return redirectToProvider(c, orgs[0]!.slug)
  }
  return redirectToProvider(c, slug.data)
})

async function redirectToProvider(c: Context<AppEnv>, slug: string) {
  const started = await startSsoSignIn(c.get('deps'), slug)
  if (!started.ok) return render(c, <SsoProblemPage reason={started.reason} />, started.reason === 'unknown_org' ? 404 : 400)
  setCookie(c, SSO_COOKIE, started.cookie, {
    ...flowCookie,
    maxAge: SSO_ATTEMPT_SECONDS,
  })
  return c.redirect(started.url, 303)
}

// A GET that signs in, unlike the emailed link's: the provider redirects here, and it acts only
// with the flow cookie of the browser that started the sign-in (single use), which a mail
// scanner or a link sent to someone else does not have.
ssoSignInRoutes.get('/callback', async (c) => {
  const deps = c.get('deps')
  const cookie = getCookie(c, SSO_COOKIE)
  deleteCookie(c, SSO_COOKIE, flowCookie)
  const query = new URL(c.req.url).search.slice(1)
  const result = await finishSsoSignIn(deps, cookie, query, {
    userAgent: c.req.header('user-agent'),
    network: networkSummary(clientAddress(c, deps.env.TRUST_PROXY)),
  })
  if (!result.ok) return render(c, <SsoProblemPage reason={result.reason} />, 400)
  const previous = c.get('user')
  const previousId = c.get('sessionId')
  if (previous && previousId)
    await invalidateSession(deps.db, {
      sessionId: previousId,
      orgId: previous.orgId,
      userId: previous.id,
    })
  setCookie(c, SESSION_COOKIE, result.session.token, sessionCookieOptions(result.session.expiresAt))
  return c.redirect('/', 303)
})

/** /admin/sso: the provider, who must use it, the break-glass admin and the idle timeout. */
export const ssoSettingsRoutes = new Hono<AppEnv>()

async function settingsView(c: Context<AppEnv>, user: SessionUser): Promise<SsoSettingsView> {
  const { db, env } = c.get('deps')
  const [s, admins, idle] = await withOrg(
    db,
    user.orgId,
    async (tx) => [await findSsoSettings(tx), await listEnabledAdmins(tx), await findIdleMinutes(tx, user.orgId)] as const,
  )
  let hint: string | null = null
  if (s.clientSecretSealed) {
    try {
      hint = secretHint(await openSecret(db, env, user.orgId, s.clientSecretSealed))
    } catch (error) {
      if (!(error instanceof UnsealError)) throw error
      hint = 'stored, but it cannot be opened with this SECRETS_KEY: enter it again'
    }
  }
  return {
    enabled: s.enabled,
    issuerUrl: s.issuerUrl ?? '',
    clientId: s.clientId ?? '',
    secretHint: hint,
    allowedDomains: s.allowedDomains.join(', '),
    requireSso: s.requireSso,
    breakGlassUserId: s.breakGlassUserId ?? '',
    idleMinutes: idle === null ? '' : String(idle),
    admins,
    redirectUri: ssoCallbackUrl(env.PUBLIC_URL),
    signInUrl: `${env.PUBLIC_URL.replace(/\/+$/, '')}/sign-in/sso?org=${encodeURIComponent(user.orgSlug)}`,
  }
}

ssoSettingsRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  return render(c, <SsoSettingsPage view={await settingsView(c, user)} />)
})

ssoSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = ssoFormSchema.safeParse(form)
  const { db, env } = c.get('deps')
  const outcome = parsed.success
    ? await withOrg(db, user.orgId, (tx) => saveSsoSettings(db, tx, env, user.orgId, parsed.data, userActor(user)))
    : { ok: false as const, errors: fieldErrors(parsed.error) }
  if (!outcome.ok) {
    const typed: Partial<SsoSettingsView> = {
      enabled: form.enabled === 'on',
      requireSso: form.require_sso === 'on',
      issuerUrl: String(form.issuer_url ?? ''),
      clientId: String(form.client_id ?? ''),
      allowedDomains: String(form.allowed_domains ?? ''),
      breakGlassUserId: String(form.break_glass_user_id ?? ''),
      idleMinutes: String(form.idle_minutes ?? ''),
    }
    const view = { ...(await settingsView(c, user)), ...typed }
    return render(c, <SsoSettingsPage view={view} errors={{ form: 'Nothing was saved; see below.', ...outcome.errors }} />, 422)
  }
  return render(c, <SsoSettingsPage view={await settingsView(c, user)} notice="Saved." />)
})
