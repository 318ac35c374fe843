import { Hono, type Context } from 'hono'
import { userActor } from '../audit/audit.ts'
import { withOrg } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { notFound } from '../http/errors.ts'
import { render } from '../http/htmx.ts'
import { isUuid } from '../http/ids.ts'
import { requireRole } from '../http/session.ts'
import { SetupPage, TestPanel, type TestPanelProps } from '../../views/pages/setup.tsx'
import { checkOrg, checkServer, checkTestMessageOnly, type SetupContext } from './checks.ts'
import { countQuarantinedSince, findSetupOrg, listTestCases } from './queries.ts'
import { discardTestCase, testAddress, testCommand } from './test-message.ts'

/** /admin/setup: the go-live checklist and the test message, for admins. */
export const setupRoutes = new Hono<AppEnv>()

async function setupContext(c: Context<AppEnv>): Promise<SetupContext> {
  const { db, env, migrationFiles } = c.get('deps')
  return { db, env, migrationFiles: migrationFiles ? await migrationFiles() : null }
}

/** `since` from the page (milliseconds), clamped to the last day; else now. */
function sinceOf(value: string | undefined): Date {
  const ms = Number(value)
  const now = Date.now()
  return Number.isFinite(ms) && ms > now - 86_400_000 && ms <= now ? new Date(ms) : new Date(now)
}

async function testPanel(c: Context<AppEnv>, orgId: string, since: Date): Promise<TestPanelProps> {
  const { db, env } = c.get('deps')
  return withOrg(db, orgId, async (tx) => {
    const org = await findSetupOrg(tx, orgId)
    if (!org) throw notFound('That organization')
    const address = testAddress(org)
    return {
      address,
      command: address ? testCommand(env.PUBLIC_URL, address) : null,
      since,
      testCases: await listTestCases(tx),
      quarantinedSince: await countQuarantinedSince(tx, since),
    }
  })
}

setupRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  const ctx = await setupContext(c)
  const result = await checkOrg(ctx, await checkServer(ctx), user.orgId)
  if (!result) throw notFound('That organization')
  return render(c, <SetupPage checks={result.checks} test={await testPanel(c, user.orgId, new Date())} />)
})

setupRoutes.get('/test', async (c) => {
  const user = requireRole(c, 'admin')
  const since = sinceOf(c.req.query('since'))
  const panel = await testPanel(c, user.orgId, since)
  // Once a test arrived, the checklist's row for it turns green in the same swap (no other
  // check is run again: those call outside services, and a poll every two seconds must not).
  const arrived = panel.testCases.some((t) => t.createdAt > since)
  const testCheck = arrived ? await checkTestMessageOnly(c.get('deps').db, user.orgId) : null
  return render(c, <TestPanel {...panel} testCheck={testCheck} />)
})

setupRoutes.post('/test-cases/:caseId/discard', async (c) => {
  const user = requireRole(c, 'admin')
  const caseId = c.req.param('caseId')
  if (!isUuid(caseId)) throw notFound('That test case')
  const form = await c.req.parseBody()
  const since = sinceOf(typeof form.since === 'string' ? form.since : undefined)
  const discarded = await discardTestCase(c.get('deps').db, user.orgId, caseId, userActor(user))
  const notice = `Discarded ${discarded.label}: closed, its draft and any approval requests stopped. It stays in the audit trail, marked as a test.`
  const panel = <TestPanel {...await testPanel(c, user.orgId, since)} notice={notice} />
  if (c.req.header('hx-request') !== undefined) return render(c, panel)
  return c.redirect('/admin/setup', 303)
})
