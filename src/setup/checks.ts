import { withOrg, type Db } from '../db.ts'
import { checkInbound, checkSending, checkTestMessage } from './mail-checks.ts'
import { probeModel, probeResendDomains } from './probes.ts'
import { findSetupOrg, listTestCases, sendAsAddresses, type SetupOrg, type TestCase } from './queries.ts'
import { checkDatabase, checkPublicUrl } from './server-checks.ts'
import type { Check, ServerChecks, SetupContext } from './verdict.ts'
import { checkApprovers, checkDigest, checkDrafting } from './workflow-checks.ts'

// What going live needs, checked live, one verdict each with what to do when it fails. One
// module for /admin/setup and `desk doctor`, so the page and the command never disagree.

export { allPass, checkTitles, type Check, type CheckId, type ServerChecks, type SetupContext } from './verdict.ts'

export async function checkServer(ctx: SetupContext): Promise<ServerChecks> {
  const { env } = ctx
  const [database, publicUrl, resend, model] = await Promise.all([
    checkDatabase(ctx),
    checkPublicUrl(env, ctx.fetch),
    env.RESEND_API_KEY ? probeResendDomains(env.RESEND_API_KEY, env.RESEND_BASE_URL) : null,
    env.OPENAI_API_KEY ? probeModel({ ...env, OPENAI_API_KEY: env.OPENAI_API_KEY }) : null,
  ])
  return { database, publicUrl, resend, model }
}

export type OrgChecks = { org: SetupOrg; checks: Check[]; testCases: TestCase[] }

/** Every check for one org, in the order the page and the command show them. */
export async function checkOrg(ctx: SetupContext, server: ServerChecks, orgId: string): Promise<OrgChecks | null> {
  return withOrg(ctx.db, orgId, async (tx) => {
    const org = await findSetupOrg(tx, orgId)
    if (!org) return null
    const testCases = await listTestCases(tx)
    const checks = [
      server.database,
      server.publicUrl,
      checkSending(ctx.env, org, await sendAsAddresses(tx), server.resend),
      await checkInbound(tx, ctx.env, org, ctx.now ?? new Date()),
      checkTestMessage(org, testCases, ctx.now ?? new Date()),
      await checkDigest(tx, ctx.env, orgId),
      await checkApprovers(tx),
      await checkDrafting(tx, ctx.env, orgId, server.model),
    ]
    return { org, checks, testCases }
  })
}

/** The test-message check alone: database only, cheap enough for a page that polls. */
export async function checkTestMessageOnly(db: Db, orgId: string, now = new Date()): Promise<Check | null> {
  return withOrg(db, orgId, async (tx) => {
    const org = await findSetupOrg(tx, orgId)
    return org ? checkTestMessage(org, await listTestCases(tx), now) : null
  })
}
