import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordAudit, systemActor } from '../../../src/audit/audit.ts'
import { assignOwner } from '../../../src/cases/ownership.ts'
import { withOrg } from '../../../src/db.ts'
import { signSlackRequest } from '../../../src/integrations/chat/slack-signing.ts'
import { startChatServer } from '../../support/chat-server.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { seedOrg, seedUser, testDb } from '../../support/db.ts'
import { BOT_TOKEN, drainChat, setUpChat, SIGNING_SECRET } from './support.ts'

const db = testDb()
let chat: Awaited<ReturnType<typeof startChatServer>>
beforeAll(async () => {
  chat = await startChatServer()
})
afterAll(async () => {
  await chat.close()
  await db.end()
})
const env = () => testEnv({ PUBLIC_URL: 'https://desk.example.com', SLACK_API_URL: chat.apiUrl })

let tsCounter = 1_764_000_000
/** Slack's message_action payload for the "Escalate to desk" shortcut on one message. */
function messageAction(overrides: { text?: string; ts?: string; threadTs?: string; callbackId?: string } = {}) {
  const ts = overrides.ts ?? `${tsCounter++}.000200`
  return {
    type: 'message_action',
    token: 'legacy-verification-token',
    action_ts: `${tsCounter}.1`,
    team: { id: 'T0ACME', domain: 'acme' },
    user: { id: 'U0AGENT', name: 'dana' },
    channel: { id: 'C0SUPPORT', name: 'support' },
    callback_id: overrides.callbackId ?? 'escalate_to_desk',
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
    message_ts: ts,
    message: {
      type: 'message',
      user: 'U0CUSTOMER',
      ts,
      ...(overrides.threadTs ? { thread_ts: overrides.threadTs } : {}),
      text: overrides.text ?? 'Our whole checkout is down since 9:00 and every order fails.\nWe are losing sales by the minute.',
      user_profile: { real_name: 'Priya Natarajan', display_name: 'priya' },
    },
    response_url: `${chat.baseUrl}/actions/T0ACME/1/abc`,
  }
}

const formBody = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`

async function postInteraction(slug: string, body: string, headers?: Record<string, string>, secret = SIGNING_SECRET) {
  const app = createTestApp(db, { env: env() })
  const signed = headers ?? (await signSlackRequest(secret, body))
  return app.request(`/integrations/slack/interactivity?org=${slug}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signed },
    body,
  })
}

async function slackOrg(change: Parameters<typeof setUpChat>[3] = {}) {
  const org = await seedOrg(db)
  await setUpChat(db, env(), org.id, {
    slackEnabled: true,
    botToken: { set: BOT_TOKEN },
    slackChannel: 'C0DESK',
    signingSecret: { set: SIGNING_SECRET },
    ...change,
  })
  return org
}

const casesOf = (orgId: string) =>
  db<{ id: string; number: number; source: string; severity: string; customerName: string; subject: string; summary: string }[]>`
    select id, number, source, severity, customer_name as "customerName", subject, summary from cases where org_id = ${orgId} order by number`

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 20))
}

describe('Slack intake: "Escalate to desk"', () => {
  it('opens a case from the message with its text, author and permalink, once per message', async () => {
    const org = await slackOrg()
    const action = messageAction()
    const res = await postInteraction(org.slug, formBody(action))
    expect(res.status).toBe(200)
    const [kase, ...others] = await casesOf(org.id)
    expect(others).toEqual([])
    expect(kase).toMatchObject({
      source: 'direct',
      severity: 'SEV-2',
      customerName: 'Priya Natarajan',
      subject: 'Our whole checkout is down since 9:00 and every order fails.',
    })
    expect(kase!.summary).toContain('We are losing sales by the minute.')
    const permalink = `https://acme.slack.com/archives/C0SUPPORT/p${action.message.ts.replace('.', '')}`
    expect(chat.to('/api/chat.getPermalink').at(-1)!.body).toMatchObject({ channel: 'C0SUPPORT', message_ts: action.message.ts })
    const [note] = await db<{ text: string }[]>`select text_body as text from messages where case_id = ${kase!.id} and direction = 'note'`
    expect(note!.text).toBe(`Escalated from Slack by dana: ${permalink}`)
    expect(await db`select channel_id, message_ts, thread_ts, permalink from slack_threads where case_id = ${kase!.id}`).toEqual([
      { channel_id: 'C0SUPPORT', message_ts: action.message.ts, thread_ts: action.message.ts, permalink },
    ])
    const audit = await db<{ details: Record<string, unknown> }[]>`
      select details from audit_events where case_id = ${kase!.id} and action = 'case.create'`
    expect(audit[0]!.details).toMatchObject({ via: 'slack', slackUser: 'U0AGENT', channel: 'C0SUPPORT' })

    // The person who pressed the shortcut is told, through response_url.
    await waitFor(() => chat.to('/actions/').some((r) => String(r.body.text).includes(kase!.id)))
    const told = chat.to('/actions/').filter((r) => String(r.body.text).includes(kase!.id))
    expect(told.map((r) => r.body)).toEqual([
      {
        response_type: 'ephemeral',
        replace_original: false,
        text: `Opened <https://desk.example.com/cases/${kase!.id}|ESC-${kase!.number}> in the Escalation Desk.`,
      },
    ])

    // Pressed again on the same message (or Slack's retry): the same case, nothing new.
    const again = await postInteraction(org.slug, formBody(action))
    expect(again.status).toBe(200)
    expect(await casesOf(org.id)).toHaveLength(1)
    await waitFor(() =>
      chat.to('/actions/').some((r) => String(r.body.text).startsWith('Already escalated') && String(r.body.text).includes(kase!.id)),
    )
    expect(chat.to('/actions/').filter((r) => String(r.body.text).includes(kase!.id))).toHaveLength(2)
  })

  it('posts back into the message’s thread when the case is owned and when it is answered', async () => {
    const org = await slackOrg()
    const action = messageAction({ text: 'Customer says the refund never arrived.', threadTs: '1763999999.000100' })
    expect((await postInteraction(org.slug, formBody(action))).status).toBe(200)
    const [kase] = await casesOf(org.id)
    expect(kase!.severity).toBe('SEV-3') // nothing in the text says more; a person flagged it
    const agent = await seedUser(db, org.id, 'agent')
    await withOrg(db, org.id, (tx) => assignOwner(tx, org.id, kase!.id, agent.id, { ...agent, role: 'agent' }))
    await withOrg(db, org.id, (tx) => recordAudit(tx, org.id, { actor: systemActor, action: 'email.send', caseId: kase!.id }))
    await drainChat(db, env(), org.id)

    // Posts run side by side: in either order.
    const threaded = chat
      .to('/api/chat.postMessage')
      .filter((r) => r.raw.includes(kase!.id) && r.body.thread_ts)
      .sort((a, b) => String(b.body.text).localeCompare(String(a.body.text)))
    expect(threaded.map((r) => [r.body.channel, r.body.thread_ts])).toEqual([
      ['C0SUPPORT', '1763999999.000100'],
      ['C0SUPPORT', '1763999999.000100'],
    ])
    expect(String(threaded[0]!.body.text)).toMatch(/^Owned by agent user: ESC-\d+ · SEV-3 · Direct · Priya Natarajan/)
    expect(String(threaded[1]!.body.text)).toMatch(/^Answered: a reply was sent to the customer: ESC-\d+/)
    // The message's own words stay in the desk.
    for (const r of threaded) expect(r.raw).not.toContain('refund never arrived')
  })

  it('refuses forged, stale and other organizations’ signatures, and an org without Slack intake', async () => {
    const org = await slackOrg()
    const other = await slackOrg({ signingSecret: { set: 'anothersecret0000000000000000000' } })
    const off = await slackOrg({ signingSecret: null, slackEnabled: true })
    const body = formBody(messageAction())

    const forged = { 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': `v0=${'0'.repeat(64)}` }
    expect((await postInteraction(org.slug, body, forged)).status).toBe(401)
    // Signed six minutes ago: a captured request replayed later.
    const stale = await signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 360)
    expect((await postInteraction(org.slug, body, stale)).status).toBe(401)
    // A valid signature over another body.
    const signedOther = await signSlackRequest(SIGNING_SECRET, formBody(messageAction({ text: 'harmless' })))
    expect((await postInteraction(org.slug, body, signedOther)).status).toBe(401)
    // Signed with one org's secret, sent to another org.
    expect((await postInteraction(other.slug, body)).status).toBe(401)
    expect((await postInteraction(off.slug, body)).status).toBe(401)
    expect((await postInteraction('no-such-org', body)).status).toBe(401)
    const unsigned = await createTestApp(db, { env: env() }).request(`/integrations/slack/interactivity?org=${org.slug}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    expect(unsigned.status).toBe(401)
    for (const o of [org, other, off]) expect(await casesOf(o.id)).toEqual([])
  })

  it('acknowledges other interactions (a notification’s Open button) without opening a case', async () => {
    const org = await slackOrg()
    const click = { type: 'block_actions', user: { id: 'U0AGENT' }, actions: [{ action_id: 'open', type: 'button' }] }
    expect((await postInteraction(org.slug, formBody(click))).status).toBe(200)
    expect((await postInteraction(org.slug, formBody(messageAction({ callbackId: 'something_else' })))).status).toBe(200)
    expect(await casesOf(org.id)).toEqual([])
  })
})
