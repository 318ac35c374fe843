import { systemActor, userActor } from '../../../src/audit/audit.ts'
import { createCaseFromForm, newCaseSchema } from '../../../src/cases/create.ts'
import { withOrg, type Db } from '../../../src/db.ts'
import type { Env } from '../../../src/env.ts'
import { caseEventJob } from '../../../src/events/dispatch.ts'
import { chatNotifyJob } from '../../../src/integrations/chat/deliver.ts'
import { saveChatSettings, type ChatSettingsChange } from '../../../src/integrations/chat/settings.ts'
import { runJobsOnce } from '../../../src/jobs/runner.ts'
import { seedUser } from '../../support/db.ts'

export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
export const BOT_TOKEN = 'xoxb-test-0000000000-token'

/** Chat set up for the org as an admin would save it; everything off unless given. */
export async function setUpChat(db: Db, env: Env, orgId: string, change: Partial<ChatSettingsChange>) {
  await withOrg(db, orgId, (tx) =>
    saveChatSettings(
      db,
      tx,
      env,
      orgId,
      {
        slackEnabled: false,
        slackChannel: null,
        slackRoutes: [],
        teamsEnabled: false,
        includeSubject: false,
        botToken: null,
        webhookUrl: null,
        signingSecret: null,
        teamsUrl: null,
        ...change,
      },
      systemActor,
    ),
  )
}

/** The customer's own words, which no chat message may carry. */
export const customerText = 'My card number is 4111 1111 1111 1111 and my daughter’s name is Clara.'

/** A case entered through the form (its severity as given), by an admin of the org. */
export async function openCase(db: Db, orgId: string, input: Record<string, string> = {}) {
  const admin = await seedUser(db, orgId, 'admin')
  const parsed = newCaseSchema.parse({
    customerName: 'Jörg Müller',
    customerEmail: 'jorg@kunde.test',
    subject: 'Refund refused after three calls',
    summary: customerText,
    severity: 'SEV-1',
    ...input,
  })
  const created = await withOrg(db, orgId, (tx) => createCaseFromForm(tx, orgId, parsed, userActor(admin)))
  return { id: created.id, label: `ESC-${created.number}` }
}

/** Runs the org's case events and chat posts until none is due. */
export async function drainChat(db: Db, env: Env, orgId: string) {
  const deps = { db, env, handlers: { case_event: caseEventJob, chat_notify: chatNotifyJob }, backoffMs: () => 0, log: () => {} }
  for (let i = 0; i < 10; i++) if ((await runJobsOnce(deps, { orgId, limit: 20 })).claimed === 0) return
}

export async function chatJobs(db: Db, orgId: string) {
  return db<{ id: string; payload: Record<string, unknown>; attempts: number; doneAt: Date | null; failedAt: Date | null; runAt: Date }[]>`
    select id::text as id, payload, attempts, done_at as "doneAt", failed_at as "failedAt", run_at as "runAt"
    from jobs where org_id = ${orgId} and kind = 'chat_notify' order by id`
}

export async function chatDeliveries(db: Db, orgId: string) {
  return db<{ destination: string; eventType: string; outcome: string; detail: string | null }[]>`
    select destination, event_type as "eventType", outcome, detail from chat_deliveries where org_id = ${orgId} order by id`
}
