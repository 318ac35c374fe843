import { Hono } from 'hono'
import type { AppEnv } from '../../http/app-env.ts'
import { holdInboundBodies } from './common.ts'
import { mailgunRoutes } from './mailgun.ts'
import { postmarkRoutes } from './postmark.ts'
import { rawRoutes } from './raw.ts'
import { resendRoutes } from './resend.ts'
import { sendgridRoutes } from './sendgrid.ts'
import { ticketRoutes } from '../tickets/routes.ts'

/**
 * Every HTTP way mail comes in, mounted at /inbound. Each route authenticates itself (signature,
 * basic auth or URL token; never a session or CSRF token) and reduces to the one intake.
 */
export const inboundRoutes = new Hono<AppEnv>()

inboundRoutes.use(holdInboundBodies)

inboundRoutes.route('/raw', rawRoutes)
inboundRoutes.route('/resend', resendRoutes)
inboundRoutes.route('/postmark', postmarkRoutes)
inboundRoutes.route('/mailgun', mailgunRoutes)
inboundRoutes.route('/sendgrid', sendgridRoutes)
// Escalated helpdesk tickets (JSON, not mail): their own signatures, the same body budget.
inboundRoutes.route('/ticket', ticketRoutes)
