import { randomBytes, randomUUID } from 'node:crypto'
import { houseKinds } from '../../src/playbook/template-fields.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { assignOwner } from '../../src/cases/ownership.ts'
import { issueApiToken } from '../../src/api/tokens.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { addEndpoint } from '../../src/webhooks/endpoints.ts'
import { saveConnection } from '../../src/intake/tickets/connections.ts'
import { defaultPriorityMap } from '../../src/intake/tickets/terms.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, sameOrigin, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { setSecondFactorRequired } from '../../src/auth/second-factor-admin.ts'
import { startTotpEnrolment } from '../../src/auth/second-factor-totp.ts'
import { confirmedTotp, totpCode } from '../auth/second-factor-helpers.ts'
import { SoftwareAuthenticator } from '../auth/software-authenticator.ts'

// One submission, one effect (src/http/idempotency.ts). Every POST route of the app is read from
// the app itself and sent twice with the same submission key, as a double click, a retry or a
// back-button resubmit sends it: the second answer is the first one again, and the database
// holds exactly what it held after the first. A new POST route fails "covers every route" until
// it is listed here, with the fields that make it act.

const machinePath = (path: string) => /^\/(inbound|static|healthz|api|integrations)(\/|$)/.test(path)
/** Routes without a signed-in user: their links are single-use in the database (consumed jti rows). */
const publicLinkRoutes = new Set([
  '/sign-in',
  '/sign-in/confirm',
  '/sign-in/sso',
  '/approve',
  '/csat',
  '/confirm-resolution',
  '/escalation/ack',
])
// A session still owing its second factor has no user either: each code's step, recovery code
// and passkey challenge is single use in the database (test/auth/second-factor*.test.ts).
for (const path of ['/second-factor/verify', '/second-factor/passkey/options', '/second-factor/passkey']) publicLinkRoutes.add(path)

const newKey = () => randomBytes(18).toString('base64url')

type Prepared = { path: string; fields?: Record<string, string>; multipart?: FormData; cookie?: string }
type RouteCase = {
  /** Makes a fresh subject for the route (a case, a user) and says what to post. */
  prepare: (ctx: Fixture) => Promise<Prepared>
  /** The first post must change something (else the test would prove nothing about it). */
  acts: boolean
  /** The first post signs the user out. */
  anonymousAfter?: boolean
  /** The first answer shows a secret once (a new API token): a replay goes back to the page instead. */
  shownOnce?: boolean
}
type Fixture = { org: Org; admin: { id: string }; cookie: string; db: Db; freshCase: () => Promise<{ id: string; draftId: string }> }

const user = async (f: Fixture) => seedUser(f.db, f.org.id, 'agent')
const onCase = (
  suffix: string,
  fields: (c: { id: string; draftId: string }, f: Fixture) => Record<string, string>,
  acts = true,
): RouteCase => ({
  acts,
  prepare: async (f) => {
    const c = await f.freshCase()
    return { path: `/cases/${c.id}${suffix}`, fields: fields(c, f) }
  },
})

/** Post-incident reviews are for SEV-1 and SEV-2 cases. */
const onSevereCase = (suffix: string, fields: (c: { id: string; draftId: string }, f: Fixture) => Record<string, string>): RouteCase => ({
  acts: true,
  prepare: async (f) => {
    const c = await f.freshCase()
    await f.db`update cases set severity = 'SEV-1' where id = ${c.id}`
    return { path: `/cases/${c.id}${suffix}`, fields: fields(c, f) }
  },
})

/** A fresh agent with a full session of their own, for the second-factor forms (src/auth/second-factor-routes.tsx). */
const ownSession = async (f: Fixture) => {
  const u = { ...(await user(f)), orgId: f.org.id }
  return { ...u, cookie: await sessionCookie(f.db, u) }
}
const secondFactorForms: Record<string, RouteCase> = {
  '/second-factor/totp': {
    acts: true,
    shownOnce: true,
    prepare: async (f) => ({ path: '/second-factor/totp', cookie: (await ownSession(f)).cookie }),
  },
  '/second-factor/totp/confirm': {
    acts: true,
    shownOnce: true,
    prepare: async (f) => {
      const u = await ownSession(f)
      const enrolment = await startTotpEnrolment(
        { db: f.db, env: testEnv() },
        { orgId: f.org.id, userId: u.id, email: u.email, orgName: 'T' },
      )
      return { path: '/second-factor/totp/confirm', fields: { code: totpCode(enrolment!.secret) }, cookie: u.cookie }
    },
  },
  '/second-factor/passkeys/options': {
    acts: true,
    prepare: async (f) => ({ path: '/second-factor/passkeys/options', cookie: (await ownSession(f)).cookie }),
  },
  '/second-factor/passkeys': {
    acts: true,
    shownOnce: true,
    prepare: async (f) => {
      const u = await ownSession(f)
      const options = await createTestApp(f.db).request('/second-factor/passkeys/options', {
        method: 'POST',
        headers: { origin: sameOrigin, cookie: u.cookie },
      })
      const response = new SoftwareAuthenticator().register(await options.json())
      return { path: '/second-factor/passkeys', fields: { response: JSON.stringify(response), name: 'Key' }, cookie: u.cookie }
    },
  },
  '/second-factor/recovery-codes': {
    acts: true,
    shownOnce: true,
    prepare: async (f) => {
      const u = await ownSession(f)
      await confirmedTotp(f.db, u)
      return { path: '/second-factor/recovery-codes', cookie: u.cookie }
    },
  },
  '/admin/second-factor/policy': {
    acts: true,
    // Turns the requirement off again, posted by an admin who has a factor (the fixture's admin
    // has none, and the requirement would hold back its session for the routes after this one).
    prepare: async (f) => {
      const other = { ...(await seedUser(f.db, f.org.id, 'admin')), orgId: f.org.id }
      await confirmedTotp(f.db, other)
      await setSecondFactorRequired({ db: f.db, env: testEnv() }, other, true)
      return { path: '/admin/second-factor/policy', fields: {}, cookie: await sessionCookie(f.db, other) }
    },
  },
  '/admin/second-factor/users/:id/reset': {
    acts: true,
    prepare: async (f) => {
      const u = await ownSession(f)
      await confirmedTotp(f.db, u)
      return { path: `/admin/second-factor/users/${u.id}/reset`, fields: {} }
    },
  },
}

const routes: Record<string, RouteCase> = {
  '/sign-out': {
    acts: true,
    // The first post ends the session, so the second comes from nobody: the handler runs for
    // no one and changes nothing, with no key to replay.
    anonymousAfter: true,
    // A session of its own: signing out must not end the one the other routes use.
    prepare: async (f) => ({ path: '/sign-out', cookie: await sessionCookie(f.db, { id: f.admin.id, orgId: f.org.id }) }),
  },
  '/cases': {
    acts: true,
    prepare: async () => ({
      path: '/cases',
      fields: {
        source: 'form',
        customerName: 'Pat Doe',
        customerEmail: 'pat@customer.test',
        subject: 'Double-clicked escalation',
        summary: 'The customer phoned twice about the same broken order.',
        severity: 'SEV-3',
      },
    }),
  },
  '/cases/:id/assign': onCase('/assign', (_, f) => ({ ownerId: f.admin.id })),
  '/cases/:id/acknowledge': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await withOrg(f.db, f.org.id, (tx) => assignOwner(tx, f.org.id, c.id, f.admin.id, { id: f.admin.id, role: 'admin' }))
      return { path: `/cases/${c.id}/acknowledge`, fields: {} }
    },
  },
  '/cases/:id/severity': onCase('/severity', () => ({ severity: 'SEV-1', reason: 'The customer is a hospital.' })),
  '/cases/:id/status': onCase('/status', () => ({ status: 'in_progress', reason: 'Working on it.' })),
  '/cases/:id/notes': onCase('/notes', () => ({ text: 'Called the customer back.' })),
  '/cases/:id/correct/customer': onCase('/correct/customer', () => ({
    customerName: 'Pat Doe-Smith',
    customerEmail: 'pat.smith@customer.test',
  })),
  '/cases/:id/correct/source': onCase('/correct/source', () => ({ source: 'social' })),
  '/cases/:id/correct/reference': onCase('/correct/reference', () => ({ externalRef: 'BBB-123456' })),
  // Confirms the executive intake read; a plain customer mail has none, so it may refuse.
  '/cases/:id/executive': onCase('/executive', () => ({}), false),
  // Merges the fresh case into another one (the confirmed step; without confirm it only asks).
  '/cases/:id/merge': {
    acts: true,
    prepare: async (f) => {
      const [from, into] = [await f.freshCase(), await f.freshCase()]
      const [row] = await f.db<{ number: number }[]>`select number from cases where id = ${into.id}`
      return { path: `/cases/${from.id}/merge`, fields: { into: `ESC-${row!.number}`, reason: 'One complaint.', confirm: 'yes' } }
    },
  },
  '/cases/:id/drafts': onCase('/drafts', () => ({
    to: 'pat@customer.test',
    subject: 'Re: your complaint',
    body: 'Dear Pat,\n\nI have your order in front of me and will call you today.\n\nKind regards',
    baseVersion: '1',
  })),
  // An upload is multipart with a file (test/drafts/reply-files.test.ts); this form without one is refused and changes nothing.
  '/cases/:id/drafts/files': onCase('/drafts/files', () => ({ baseVersion: '1' }), false),
  // No AI key here: a redraft with an instruction is refused, so this one asks for a fresh template.
  '/cases/:id/drafts/redraft': onCase('/drafts/redraft', () => ({ instruction: '' })),
  '/cases/:id/approval/request': onCase('/approval/request', () => ({})),
  '/cases/:id/approval/decide': onCase('/approval/decide', (c) => ({ draftId: c.draftId, decision: 'approved', note: '' })),
  '/cases/:id/review': onSevereCase('/review', () => ({ summary: 'What happened, in short.', rootCause: 'A missed handover.' })),
  '/cases/:id/review/actions': onSevereCase('/review/actions', (_, f) => ({
    title: 'Write the handover checklist',
    ownerId: f.admin.id,
    dueOn: '2026-12-31',
  })),
  '/cases/:id/review/complete': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await f.db`insert into incident_reviews (org_id, case_id, kind, summary, root_cause, prevention)
                 values (${f.org.id}, ${c.id}, 'short', 'What happened.', 'Why.', 'How we prevent it.')`
      return { path: `/cases/${c.id}/review/complete`, fields: {} }
    },
  },
  '/cases/:id/review/summary-draft': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await f.db`insert into incident_reviews (org_id, case_id, customer_summary) values (${f.org.id}, ${c.id}, 'What happened and what we changed.')`
      return { path: `/cases/${c.id}/review/summary-draft`, fields: {} }
    },
  },
  '/cases/:id/recovery': onCase('/recovery', (_, f) => ({ impactLevel: 'minor', ownerId: f.admin.id })),
  '/cases/:id/recovery/items': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await f.db`insert into recovery_plans (org_id, case_id, impact_level) values (${f.org.id}, ${c.id}, 'minor')`
      return {
        path: `/cases/${c.id}/recovery/items`,
        fields: { kind: 'other', title: 'Send a handwritten note', ownerId: f.admin.id, dueOn: '2030-01-31' },
      }
    },
  },
  '/cases/:id/recovery/items/:itemId': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      const [item] = await f.db<{ id: string }[]>`
        insert into recovery_items (org_id, case_id, kind, title, owner_id, due_on)
        values (${f.org.id}, ${c.id}, 'apology', 'Apologise', ${f.admin.id}, '2030-01-01') returning id`
      return { path: `/cases/${c.id}/recovery/items/${item!.id}`, fields: { status: 'done' } }
    },
  },
  '/cases/:id/recovery/check': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await f.db`insert into recovery_plans (org_id, case_id, impact_level, created_at) values (${f.org.id}, ${c.id}, 'minor', now() - interval '91 days')`
      return { path: `/cases/${c.id}/recovery/check`, fields: { maintained: 'yes', note: 'Renewed.' } }
    },
  },
  '/cases/:id/war-room': onSevereCase('/war-room', () => ({ statusLine: 'Payments failing', nextAction: 'Roll back the release' })),
  '/cases/:id/war-room/collaborators': onCase('/war-room/collaborators', (_, f) => ({ userId: f.admin.id })),
  '/cases/:id/war-room/collaborators/remove': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await f.db`insert into case_collaborators (case_id, org_id, user_id) values (${c.id}, ${f.org.id}, ${f.admin.id})`
      return { path: `/cases/${c.id}/war-room/collaborators/remove`, fields: { userId: f.admin.id } }
    },
  },
  '/cases/:id/war-room/checklist': onCase('/war-room/checklist', () => ({ step: 'confirm_problem', done: 'yes' })),
  // Sent to the case's collaborator (the admin): one stored update, one job, however often it is posted.
  '/cases/:id/internal-update': {
    acts: true,
    prepare: async (f) => {
      const c = await f.freshCase()
      await f.db`insert into case_collaborators (case_id, org_id, user_id) values (${c.id}, ${f.org.id}, ${f.admin.id})`
      return { path: `/cases/${c.id}/internal-update`, fields: { subject: 'Internal update', body: 'Working on it.' } }
    },
  },
  '/admin/stakeholders': {
    acts: true,
    prepare: async () => ({ path: '/admin/stakeholders', fields: { 'SEV-1.exec': `ceo-${newKey()}@example.test` } }),
  },
  '/cases/:id/review/actions/:actionId': {
    acts: false, // needs an action of a review; the route still replays what it answered
    prepare: async (f) => ({ path: `/cases/${(await f.freshCase()).id}/review/actions/${randomUUID()}`, fields: { status: 'done' } }),
  },
  '/views': {
    acts: true,
    prepare: async () => ({ path: '/views', fields: { name: `Urgent ${newKey()}`, query: 'view=at_risk&severity=SEV-1' } }),
  },
  '/views/:id/delete': {
    acts: true,
    prepare: async (f) => {
      const [v] = await withOrg(
        f.db,
        f.org.id,
        (tx) => tx<{ id: string }[]>`insert into saved_views (org_id, owner_id, name, query)
          values (${f.org.id}, ${f.admin.id}, ${`Gone ${newKey()}`}, 'view=mine') returning id`,
      )
      return { path: `/views/${v!.id}/delete`, fields: {} }
    },
  },
  '/admin/users': {
    acts: true,
    prepare: async () => ({
      path: '/admin/users',
      fields: { email: `new-${randomBytes(3).toString('hex')}@example.test`, name: 'New Person', role: 'agent' },
    }),
  },
  '/admin/users/:id/invite': { acts: true, prepare: async (f) => ({ path: `/admin/users/${(await user(f)).id}/invite`, fields: {} }) },
  '/admin/users/:id/role': {
    acts: true,
    prepare: async (f) => ({ path: `/admin/users/${(await user(f)).id}/role`, fields: { role: 'approver' } }),
  },
  '/admin/api-tokens': {
    acts: true,
    shownOnce: true,
    prepare: async () => ({ path: '/admin/api-tokens', fields: { name: 'Double-clicked token', scope: 'read', requestsPerMinute: '60' } }),
  },
  '/admin/api-tokens/:id/revoke': {
    acts: true,
    prepare: async (f) => {
      const admin = { id: f.admin.id, orgId: f.org.id, email: '', name: '', role: 'admin' as const, orgName: '', orgSlug: '' }
      const { id } = await issueApiToken(f.db, admin, { name: 'To revoke', scope: 'read', requestsPerMinute: 60 })
      return { path: `/admin/api-tokens/${id}/revoke`, fields: {} }
    },
  },
  ...secondFactorForms,
  '/sessions/:id/revoke': {
    acts: true,
    prepare: async (f) => {
      const other = await user(f)
      await sessionCookie(f.db, { id: other.id, orgId: f.org.id })
      const [session] = await f.db<{ id: string }[]>`select id from sessions where user_id = ${other.id}`
      return { path: `/sessions/${session!.id}/revoke`, fields: {} }
    },
  },
  '/admin/sso': {
    acts: true,
    prepare: async () => ({
      path: '/admin/sso',
      fields: { enabled: 'on', issuer_url: 'https://idp.example.test', client_id: newKey(), allowed_domains: 'example.test' },
    }),
  },
  '/admin/users/:id/disable': { acts: true, prepare: async (f) => ({ path: `/admin/users/${(await user(f)).id}/disable`, fields: {} }) },
  '/admin/organization/profile': {
    acts: true,
    prepare: async () => ({ path: '/admin/organization/profile', fields: { name: `Renamed ${newKey()}`, timezone: 'Europe/Berlin' } }),
  },
  '/admin/organization/inbound': {
    acts: false,
    prepare: async () => ({ path: '/admin/organization/inbound', fields: { addresses: `desk-${newKey().toLowerCase()}@example.test` } }),
  },
  '/admin/organization/domains': {
    acts: false,
    prepare: async () => ({ path: '/admin/organization/domains', fields: { domains: 'example.test' } }),
  },
  '/admin/organization/executives': { acts: false, prepare: async () => ({ path: '/admin/organization/executives', fields: {} }) },
  '/admin/organization/sender': { acts: false, prepare: async () => ({ path: '/admin/organization/sender', fields: {} }) },
  '/admin/organization/approvers': { acts: false, prepare: async () => ({ path: '/admin/organization/approvers', fields: {} }) },
  '/admin/drafting': {
    acts: false,
    prepare: async () => ({ path: '/admin/drafting', fields: { aiEnabled: '0', senderName: `Care ${newKey()}`, signature: 'The team' } }),
  },
  '/admin/chat': {
    acts: true,
    prepare: async () => ({
      path: '/admin/chat',
      fields: { slack_enabled: 'on', slack_webhook_url: `https://hooks.slack.com/services/T0/B0/${newKey()}` },
    }),
  },
  // Teams is not set up in this org: the answer says so, and the attempt is recorded and audited.
  '/admin/chat/test': { acts: true, prepare: async () => ({ path: '/admin/chat/test', fields: { destination: 'teams' } }) },
  '/admin/webhooks': {
    acts: true,
    shownOnce: true,
    prepare: async () => ({ path: '/admin/webhooks', fields: { url: `https://hooks.example.com/${newKey()}`, events: 'case.created' } }),
  },
  ...Object.fromEntries(
    (['disable', 'enable', 'delete', 'test'] as const).map((action) => [
      `/admin/webhooks/:id/${action}`,
      {
        acts: true,
        prepare: async (f: Fixture) => {
          const { id } = await addEndpoint(f.db, testEnv(), f.org.id, f.admin, {
            url: 'https://hooks.example.com/d',
            description: '',
            eventTypes: ['case.created'],
          })
          // Enabling needs a disabled endpoint to act on.
          if (action === 'enable') await f.db`update webhook_endpoints set enabled = false where id = ${id}`
          return { path: `/admin/webhooks/${id}/${action}`, fields: {} }
        },
      } satisfies RouteCase,
    ]),
  ),
  '/admin/webhooks/:id/deliveries/:deliveryId/replay': {
    acts: true,
    prepare: async (f) => {
      const { id } = await addEndpoint(f.db, testEnv(), f.org.id, f.admin, {
        url: 'https://hooks.example.com/r',
        description: '',
        eventTypes: ['case.created'],
      })
      const [delivery] = await f.db<{ id: string }[]>`
        insert into webhook_deliveries (org_id, endpoint_id, event_type, payload, status, attempts)
        values (${f.org.id}, ${id}, 'case.created', '{}', 'failed', 1) returning id`
      return { path: `/admin/webhooks/${id}/deliveries/${delivery!.id}/replay`, fields: {} }
    },
  },
  // A generic connection: the desk makes up its secret and shows it once.
  '/admin/helpdesk': {
    acts: true,
    shownOnce: true,
    prepare: async () => ({
      path: '/admin/helpdesk',
      fields: { provider: 'generic', secret: '', map_urgent: 'SEV-2', map_high: 'SEV-3', map_normal: 'SEV-4', map_low: 'SEV-4' },
    }),
  },
  '/admin/helpdesk/:provider/delete': {
    acts: true,
    prepare: async (f) => {
      await saveConnection(f.db, testEnv(), f.org.id, f.admin, { provider: 'freshdesk', secret: '', priorityMap: defaultPriorityMap })
      return { path: '/admin/helpdesk/freshdesk/delete', fields: {} }
    },
  },
  '/admin/ticket-counts': {
    acts: true,
    prepare: async () => ({ path: '/admin/ticket-counts', fields: { month: '2026-10', tickets: '1200' } }),
  },
  '/admin/ticket-counts/import': {
    acts: true,
    prepare: async () => ({ path: '/admin/ticket-counts/import', fields: { csv: '2026-09,900' } }),
  },
  // One literal route per template kind (src/playbook/routes.tsx); each behaves the same.
  ...Object.fromEntries(
    houseKinds.map((kind): [string, RouteCase] => [
      `/admin/templates/${kind}`,
      {
        acts: true,
        prepare: async () => ({ path: `/admin/templates/${kind}`, fields: { body: `Dear {customer_name}, ${newKey()}`, intent: 'save' } }),
      },
    ]),
  ),
  '/admin/digest': { acts: false, prepare: async () => ({ path: '/admin/digest', fields: { enabled: '1', hour: '8' } }) },
  '/admin/escalation': {
    acts: true,
    prepare: async () => ({
      path: '/admin/escalation',
      fields: { 'SEV-1.at_risk': 'on', 'SEV-1.approvers': '5', 'SEV-1.executives': '20' },
    }),
  },
  '/admin/reviews': { acts: true, prepare: async () => ({ path: '/admin/reviews', fields: { severity: 'SEV-1' } }) },
  '/admin/settings': { acts: false, prepare: async () => ({ path: '/admin/settings', fields: { timezone: 'Europe/Paris' } }) },
  '/admin/setup/test-cases/:caseId/discard': {
    acts: false,
    prepare: async (f) => ({ path: `/admin/setup/test-cases/${(await f.freshCase()).id}/discard`, fields: {} }),
  },
  '/admin/quarantine/:id/reprocess': {
    acts: false,
    prepare: async () => ({ path: `/admin/quarantine/${randomUUID()}/reprocess`, fields: {} }),
  },
  '/admin/quarantine/:id/not-escalation': {
    acts: false,
    prepare: async () => ({ path: `/admin/quarantine/${randomUUID()}/not-escalation`, fields: {} }),
  },
  '/not-escalations/:rawId/open': { acts: false, prepare: async () => ({ path: `/not-escalations/${randomUUID()}/open`, fields: {} }) },
  '/import/preview': {
    acts: true,
    prepare: async () => {
      const form = new FormData()
      form.set('kind', 'cases')
      form.set(
        'file',
        new File(['Customer,Email,Subject,Summary,Severity\nPat,pat@customer.test,Broken order,It never came at all,SEV-3\n'], 'cases.csv'),
      )
      return { path: '/import/preview', multipart: form }
    },
  },
  '/admin/privacy/retention': { acts: true, prepare: async () => ({ path: '/admin/privacy/retention', fields: { months: '12' } }) },
  '/admin/privacy/erase/preview': {
    acts: false,
    prepare: async () => ({ path: '/admin/privacy/erase/preview', fields: { email: 'pat@customer.test' } }),
  },
  '/admin/privacy/erase': {
    acts: true,
    shownOnce: true,
    prepare: async (f) => {
      const email = `erase-${newKey().slice(0, 8).toLowerCase()}@customer.test`
      await seedCase(f.db, f.org.id, { from: `Erin <${email}>` })
      return { path: '/admin/privacy/erase', fields: { email, confirm: email } }
    },
  },
  '/admin/privacy/export': {
    acts: true,
    shownOnce: true,
    prepare: async () => ({ path: '/admin/privacy/export', fields: { email: 'pat@customer.test' } }),
  },
  '/import/run': { acts: false, prepare: async () => ({ path: '/import/run', fields: { runId: '999999999' } }) },
  '/import/:runId/mapping': { acts: false, prepare: async () => ({ path: '/import/999999999/mapping', fields: {} }) },
}

describe('every form: the same submission twice has one effect', () => {
  let db: Db
  let f: Fixture

  beforeAll(async () => {
    db = testDb(6)
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    f = {
      db,
      org,
      admin,
      cookie: await sessionCookie(db, { id: admin.id, orgId: org.id }),
      freshCase: async () => {
        const c = await seedCase(db, org.id, { from: 'Pat Doe <pat@customer.test>' })
        const draft = await seedDraft(db, org.id, c.id)
        return { id: c.id, draftId: draft.id }
      },
    }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const posts = () => [
    ...new Set(
      app()
        .routes.filter((r) => r.method === 'POST' && !machinePath(r.path))
        .map((r) => r.path),
    ),
  ]

  /** Everything the org holds, row by row (form_submissions aside: it records the submissions themselves). */
  async function snapshot(): Promise<Record<string, string>> {
    const tables = await db<{ table: string }[]>`
      select table_name as table from information_schema.columns
      where table_schema = 'public' and column_name = 'org_id' and table_name <> 'form_submissions'
        and table_name in (select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE')
      order by 1`
    const state: Record<string, string> = {}
    for (const { table } of tables) {
      const [row] = await db.unsafe(
        `select count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') as s from ${table} t where org_id = $1`,
        [f.org.id],
      )
      state[table] = row!.s as string
    }
    const [org] = await db`select md5(o::text) as s from orgs o where id = ${f.org.id}`
    state.orgs = org!.s
    return state
  }

  async function post(p: Prepared, key: string | null) {
    const waited = collectingExecutionCtx()
    const headers: Record<string, string> = { origin: sameOrigin, accept: 'text/html', cookie: p.cookie ?? f.cookie }
    if (!p.multipart) headers['content-type'] = 'application/x-www-form-urlencoded'
    const url = key ? `${p.path}?_submission=${key}` : p.path
    const res = await app().request(
      url,
      { method: 'POST', headers, body: p.multipart ?? new URLSearchParams(p.fields ?? {}).toString() },
      undefined,
      waited.ctx,
    )
    const body = await res.text()
    await waited.settled()
    return { status: res.status, location: res.headers.get('location'), replay: res.headers.get('idempotent-replay'), body }
  }

  it('covers every POST route of the app', () => {
    const missing = posts().filter((path) => !routes[path] && !publicLinkRoutes.has(path))
    expect(missing, 'add these routes to the table above').toEqual([])
  })

  it('each route, posted twice with one key: the same answer, and nothing more changes', { timeout: 120_000 }, async () => {
    const problems: string[] = []
    const acted: string[] = []
    for (const path of posts().filter((p) => routes[p])) {
      const route = routes[path]!
      const prepared = await route.prepare(f)
      const key = newKey()
      const before = await snapshot()
      const first = await post(prepared, key)
      const afterFirst = await snapshot()
      const second = await post(prepared, key)
      const afterSecond = await snapshot()
      const changed = JSON.stringify(before) !== JSON.stringify(afterFirst)
      if (changed) acted.push(path)
      if (route.acts && (!changed || first.status >= 400))
        problems.push(`${path}: the first post did nothing (${first.status} ${first.body.slice(0, 200)})`)
      if (JSON.stringify(afterSecond) !== JSON.stringify(afterFirst)) {
        const tables = Object.keys(afterFirst).filter((t) => afterFirst[t] !== afterSecond[t])
        problems.push(`${path}: the second post changed ${tables.join(', ')}`)
      }
      if (route.shownOnce) {
        if (second.status !== 303 || second.replay !== 'true' || /desk_[A-Za-z0-9_-]{43}/.test(second.body)) {
          problems.push(`${path}: replayed ${second.status} (replay ${second.replay}) instead of going back to the page without the secret`)
        }
      } else if (first.status < 400 && !route.anonymousAfter) {
        if (second.status !== first.status || second.location !== first.location || second.replay !== 'true') {
          problems.push(
            `${path}: replayed ${second.status} ${second.location} (replay ${second.replay}), first was ${first.status} ${first.location}`,
          )
        }
      }
    }
    expect(problems).toEqual([])
    expect(acted.length).toBeGreaterThanOrEqual(Object.values(routes).filter((r) => r.acts).length)
  })

  it('two requests at the same instant with one key open one case; without a key, each post is its own', async () => {
    const fields = {
      source: 'form',
      customerName: 'Sam',
      subject: `Concurrent ${newKey()}`,
      summary: 'Clicked twice very fast on the button.',
      severity: 'SEV-4',
    }
    const count = async () =>
      (await db`select count(*)::int as n from cases where org_id = ${f.org.id} and subject = ${fields.subject}`)[0]!.n as number
    const key = newKey()
    const answers = await Promise.all([
      post({ path: '/cases', fields }, key),
      post({ path: '/cases', fields }, key),
      post({ path: '/cases', fields }, key),
    ])
    expect(await count()).toBe(1)
    expect(new Set(answers.map((a) => a.location)).size).toBe(1)
    expect(answers.filter((a) => a.replay === 'true')).toHaveLength(2)
    await post({ path: '/cases', fields }, null)
    await post({ path: '/cases', fields }, null)
    expect(await count()).toBe(3)
  })

  it("a replayed page or fragment carries the replay's own CSP nonce, so its htmx and scripts still run", async () => {
    const c = await f.freshCase()
    const key = newKey()
    const send = () =>
      app().request(`/cases/${c.id}/notes?_submission=${key}`, {
        method: 'POST',
        headers: { origin: sameOrigin, cookie: f.cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' },
        body: new URLSearchParams({ text: 'Fragment note.' }).toString(),
      })
    const nonceOf = (res: Response) => /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')![1]!
    const first = await send()
    const firstBody = await first.text()
    const second = await send()
    const secondBody = await second.text()
    expect(first.status).toBe(200)
    expect(second.headers.get('idempotent-replay')).toBe('true')
    expect(firstBody).toContain(`hx-nonce="${nonceOf(first)}"`)
    expect(secondBody).toContain(`hx-nonce="${nonceOf(second)}"`)
    expect(secondBody).not.toContain(nonceOf(first))
    expect(secondBody.replaceAll(nonceOf(second), 'N')).toBe(firstBody.replaceAll(nonceOf(first), 'N'))
  })

  it('a refused post gives its key back: the corrected form, sent with the same key, runs', async () => {
    const c = await f.freshCase()
    const key = newKey()
    const refused = await post({ path: `/cases/${c.id}/notes`, fields: { text: '' } }, key)
    expect(refused.status).toBeGreaterThanOrEqual(400)
    const ok = await post({ path: `/cases/${c.id}/notes`, fields: { text: 'Now with words.' } }, key)
    expect(ok.status).toBeLessThan(400)
    expect(ok.replay).toBeNull()
    const [{ n }] = await db`select count(*)::int as n from messages where case_id = ${c.id} and direction = 'note'`
    expect(n).toBe(1)
  })

  it("a key is the user's own: another user's post with the same key runs, and one key cannot be replayed on another page", async () => {
    const other = await seedUser(db, f.org.id, 'admin')
    const otherCookie = await sessionCookie(db, { id: other.id, orgId: f.org.id })
    const c = await f.freshCase()
    const key = newKey()
    await post({ path: `/cases/${c.id}/notes`, fields: { text: 'Mine.' } }, key)
    const theirs = await post({ path: `/cases/${c.id}/notes`, fields: { text: 'Theirs.' }, cookie: otherCookie }, key)
    expect(theirs.replay).toBeNull()
    const elsewhere = await post({ path: `/cases/${c.id}/severity`, fields: { severity: 'SEV-2', reason: 'x' } }, key)
    expect(elsewhere.status).toBe(400)
    const [{ n }] = await db`select count(*)::int as n from messages where case_id = ${c.id} and direction = 'note'`
    expect(n).toBe(2)
  })

  it('the database holds the rule: one row per org, user and key, in the org only (row-level security)', async () => {
    const key = newKey()
    const insert = () =>
      withOrg(
        db,
        f.org.id,
        (tx) =>
          tx`insert into form_submissions (org_id, user_id, key, method, path) values (${f.org.id}, ${f.admin.id}, ${key}, 'POST', '/cases')`,
      )
    await insert()
    await expect(insert()).rejects.toThrow(/duplicate key/)
    const elsewhere = await seedOrg(db)
    const seen = await withOrg(db, elsewhere.id, (tx) => tx`select key from form_submissions where key = ${key}`)
    expect(seen).toHaveLength(0)
    await expect(
      withOrg(
        db,
        f.org.id,
        (tx) =>
          tx`insert into form_submissions (org_id, user_id, key, method, path) values (${f.org.id}, ${f.admin.id}, 'short', 'POST', '/cases')`,
      ),
    ).rejects.toThrow(/check constraint/)
  })
})
