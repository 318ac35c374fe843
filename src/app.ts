import { Hono } from 'hono'
import { jsxRenderer } from 'hono/jsx-renderer'
import { requestId } from 'hono/request-id'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { authRoutes } from './auth/routes.tsx'
import { ssoSettingsRoutes, ssoSignInRoutes } from './auth/oidc-routes.tsx'
import { sessionAdminRoutes } from './auth/session-admin-routes.tsx'
import { secondFactorAdminRoutes } from './auth/second-factor-admin-routes.tsx'
import { secondFactorRoutes } from './auth/second-factor-routes.tsx'
import type { AppDeps, AppEnv } from './http/app-env.ts'
import { healthRoutes } from './http/health.ts'
import { hostCheck } from './http/host-check.ts'
import { noStoreByDefault } from './http/no-store.ts'
import { formProtection } from './http/security.ts'
import { sessionMiddleware } from './http/session.ts'
import { mailboxRoutes } from './outbound/mailbox-routes.tsx'
import { adminUserRoutes } from './users/routes.tsx'
import { handleError } from './http/on-error.tsx'
import { inboundRoutes } from './intake/webhooks/index.ts'
import { queueRoutes } from './queue/routes.tsx'
import { notEscalationRoutes } from './intake/not-escalation-routes.tsx'
import { caseRoutes } from './cases/routes.tsx'
import { findRoutes } from './cases/find-routes.tsx'
import { draftRoutes } from './drafts/routes.tsx'
import { draftSettingsRoutes } from './drafts/settings-routes.tsx'
import { importRoutes } from './imports/routes.tsx'
import { orgSettingsRoutes } from './orgs/routes.tsx'
import { organizationRoutes } from './orgs/organization-routes.tsx'
import { auditRoutes } from './audit/routes.tsx'
import { severityReportRoutes } from './cases/report-routes.tsx'
import { approvalRoutes } from './approvals/routes.tsx'
import { digestSettingsRoutes } from './digest/routes.tsx'
import { escalationAckRoutes, escalationSettingsRoutes } from './escalation/routes.tsx'
import { metricsRoutes } from './metrics/routes.tsx'
import { reviewRoutes } from './reviews/routes.tsx'
import { customerLinkRoutes } from './csat/routes.tsx'
import { setupRoutes } from './setup/routes.tsx'
import { quarantineRoutes } from './intake/quarantine-routes.tsx'
import { attachmentRoutes } from './attachments/routes.tsx'
import { webhookRoutes } from './webhooks/routes.tsx'
import { helpdeskSettingsRoutes } from './intake/tickets/settings-routes.tsx'
import { slackRoutes } from './integrations/chat/slack-routes.ts'
import { chatSettingsRoutes } from './integrations/chat/settings-routes.tsx'
import { apiRoutes } from './api/routes.ts'
import { apiTokenAdminRoutes } from './api/admin-routes.tsx'
import { privacyRoutes } from './privacy/routes.tsx'
import { stakeholderSettingsRoutes, warRoomRoutes } from './warroom/routes.tsx'

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>()

  app.use(requestId())
  // c.render gives every view the request, so the layout reads the nonce and the user itself.
  // First, so even a refusal by the middleware below renders its error page the same way. No
  // doctype is added: pages are the same bytes c.html sent before this renderer existed.
  app.use(jsxRenderer(undefined, { docType: false }))
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
  })
  app.use(securityHeaders())

  // Nothing cached unless a handler says so; only our own names answered (DNS rebinding).
  app.use(noStoreByDefault)
  app.use(hostCheck(deps.env))
  // CSRF + form body limit, then the session; both skip /inbound, /healthz and /static.
  app.use(formProtection(deps.env))
  app.use(sessionMiddleware)

  serveAssets(app, deps.assets)
  routeFeatures(app)

  app.notFound((c) => handleError(c, null))
  app.onError((error, c) => handleError(c, error))
  return app
}

/** The Content-Security-Policy (scripts and styles only with the request's nonce) and the other security headers. */
function securityHeaders() {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: [NONCE, "'self'"],
      styleSrc: [NONCE],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      // The case page frames sanitized customer HTML from /cases/:id/messages/:mid/html.
      frameSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    crossOriginEmbedderPolicy: false,
    // A handler's own stricter headers win (the framed mail sets its own sandboxing CSP).
    overwrite: false,
  })
}

/** The bundled static files, and an empty favicon. */
function serveAssets(app: Hono<AppEnv>, given: AppDeps['assets']) {
  // A Map, not the object itself: /static/constructor must not find Object.prototype's.
  const assets = new Map(Object.entries(given))
  app.get('/static/:name', (c) => {
    const asset = assets.get(c.req.param('name'))
    if (!asset) return c.text('Not found', 404)
    return c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' })
  })
  // Browsers ask for it on every page; an empty answer keeps their consoles free of 404s.
  app.get('/favicon.ico', (c) => c.body(null, 204))
}

/** One sub-app per feature, in the order their paths must be tried. */
function routeFeatures(app: Hono<AppEnv>) {
  app.route('/healthz', healthRoutes)
  app.route('/inbound', inboundRoutes)
  // Signed by Slack, no session or CSRF check (isMachinePath).
  app.route('/integrations/slack', slackRoutes)
  // Bearer tokens only, no session or CSRF check (isMachinePath); errors in its own JSON shape.
  app.route('/api/v1', apiRoutes)
  app.route('/', authRoutes)
  app.route('/sign-in/sso', ssoSignInRoutes)
  app.route('/', sessionAdminRoutes)
  app.route('/second-factor', secondFactorRoutes)
  app.route('/admin/second-factor', secondFactorAdminRoutes)
  app.route('/dev/mailbox', mailboxRoutes)
  app.route('/admin/users', adminUserRoutes)
  app.route('/admin/organization', organizationRoutes)
  app.route('/admin/api-tokens', apiTokenAdminRoutes)
  app.route('/admin/sso', ssoSettingsRoutes)
  // Before caseRoutes: /cases/export.csv is not a case id.
  app.route('/', findRoutes)
  app.route('/cases', caseRoutes)
  app.route('/cases', draftRoutes)
  app.route('/cases', attachmentRoutes)
  app.route('/cases', warRoomRoutes)
  app.route('/admin/drafting', draftSettingsRoutes)
  app.route('/admin/digest', digestSettingsRoutes)
  app.route('/admin/webhooks', webhookRoutes)
  app.route('/admin/helpdesk', helpdeskSettingsRoutes)
  app.route('/admin/escalation', escalationSettingsRoutes)
  app.route('/admin/stakeholders', stakeholderSettingsRoutes)
  app.route('/admin/chat', chatSettingsRoutes)
  app.route('/admin/setup', setupRoutes)
  app.route('/admin/quarantine', quarantineRoutes)
  app.route('/admin/privacy', privacyRoutes)
  app.route('/', orgSettingsRoutes)
  app.route('/', auditRoutes)
  app.route('/reports/severity', severityReportRoutes)
  app.route('/', approvalRoutes)
  app.route('/', metricsRoutes)
  app.route('/', reviewRoutes)
  // Public: the customer's rating and confirmation links (signed, single use).
  app.route('/', customerLinkRoutes)
  // Public: an escalation mail's "I'm on it" link (signed, single use).
  app.route('/', escalationAckRoutes)
  app.route('/import', importRoutes)
  app.route('/', notEscalationRoutes)
  app.route('/', queueRoutes)
}
