import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startChatServer } from '../../support/chat-server.ts'
import { createTestApp, testEnv } from '../../support/app.ts'
import { formPost, sessionCookie } from '../../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../../support/db.ts'
import { BOT_TOKEN, SIGNING_SECRET } from './support.ts'

const db = testDb()
let chat: Awaited<ReturnType<typeof startChatServer>>
beforeAll(async () => {
  chat = await startChatServer()
})
afterAll(async () => {
  await chat.close()
  await db.end()
})
const app = () => createTestApp(db, { env: testEnv({ SLACK_API_URL: chat.apiUrl }) })

async function adminOf() {
  const org = await seedOrg(db)
  const admin = await seedUser(db, org.id, 'admin')
  return { org, cookie: await sessionCookie(db, { id: admin.id, orgId: org.id }) }
}

const save = (cookie: string, fields: Record<string, string>) => app().request('/admin/chat', formPost(fields, { cookie }))

describe('/admin/chat', () => {
  it('is for admins only', async () => {
    const org = await seedOrg(db)
    const agent = await seedUser(db, org.id, 'approver')
    const cookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    expect((await app().request('/admin/chat', { headers: { cookie } })).status).toBe(403)
    expect((await save(cookie, { slack_enabled: 'on' })).status).toBe(403)
    expect((await app().request('/admin/chat/test', formPost({ destination: 'slack' }, { cookie }))).status).toBe(403)
  })

  it('stores secrets sealed, shows only their hints, audits without them, and keeps the subscription in step', async () => {
    const { org, cookie } = await adminOf()
    const teamsUrl = `${chat.baseUrl}/teams/${org.id}/IncomingWebhook/abcdef0123456789`
    const res = await save(cookie, {
      slack_enabled: 'on',
      slack_bot_token: BOT_TOKEN,
      slack_channel: 'C0DESK',
      slack_routes: 'SEV-1 C0WAR\nlawyer C0LEGAL',
      slack_signing_secret: SIGNING_SECRET,
      teams_enabled: 'on',
      teams_webhook_url: teamsUrl,
    })
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('Saved.')
    expect(page).toContain('set, ending …oken')
    expect(page).toContain(`/integrations/slack/interactivity?org=${org.slug}`)
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, teamsUrl]) expect(page).not.toContain(secret)

    const [row] = await db<Record<string, unknown>[]>`select * from chat_settings where org_id = ${org.id}`
    expect(row).toMatchObject({ slack_enabled: true, slack_channel: 'C0DESK', teams_enabled: true, include_subject: false })
    expect(row!.slack_routes).toEqual([
      { severity: 'SEV-1', source: null, channel: 'C0WAR' },
      { severity: null, source: 'lawyer', channel: 'C0LEGAL' },
    ])
    expect(JSON.stringify(row)).not.toMatch(/xoxb-|abcdef0123456789/)
    expect(String(row!.slack_bot_token_sealed)).toMatch(/^v1:/)
    expect(await db`select sink from event_subscriptions where org_id = ${org.id}`).toEqual([{ sink: 'chat' }])

    const [audit] = await db<{ details: Record<string, unknown> }[]>`
      select details from audit_events where org_id = ${org.id} and action = 'org.chat_change'`
    expect(audit!.details.secrets).toEqual({ botToken: 'replaced', signingSecret: 'replaced', teamsUrl: 'replaced' })
    expect(JSON.stringify(audit)).not.toMatch(/xoxb-|abcdef0123456789|_sealed/)

    // Saving again with the secret fields empty keeps them; turning both off ends the subscription.
    const off = await save(cookie, { slack_channel: 'C0DESK' })
    expect(off.status).toBe(200)
    const [kept] = await db<
      { sealed: string | null }[]
    >`select slack_bot_token_sealed as sealed from chat_settings where org_id = ${org.id}`
    expect(kept!.sealed).toBe(row!.slack_bot_token_sealed)
    expect(await db`select sink from event_subscriptions where org_id = ${org.id}`).toEqual([])

    // "Remove it" removes one secret.
    await save(cookie, { slack_enabled: 'on', slack_channel: 'C0DESK', clear_slack_bot_token: 'on' })
    const [cleared] = await db<
      { sealed: string | null }[]
    >`select slack_bot_token_sealed as sealed from chat_settings where org_id = ${org.id}`
    expect(cleared!.sealed).toBeNull()
  })

  it('re-shows the form with the reason when a field is wrong, saving nothing', async () => {
    const { org, cookie } = await adminOf()
    const res = await save(cookie, {
      slack_enabled: 'on',
      slack_bot_token: 'xoxp-user-token-not-a-bot',
      slack_routes: 'SEV-9 C0X',
      teams_webhook_url: 'http://teams.example.com/hook',
    })
    expect(res.status).toBe(422)
    const page = await res.text()
    expect(page).toContain('A bot token starts with xoxb-.')
    expect(page).toContain('“SEV-9” is not a severity')
    expect(page).toContain('Paste the webhook URL as Teams or Workflows gives it')
    expect(page).not.toContain('xoxp-user-token-not-a-bot')
    expect(await db`select 1 from chat_settings where org_id = ${org.id}`).toEqual([])
  })

  it('"Send a test message" posts through the real path and shows the answer in one line', async () => {
    const { org, cookie } = await adminOf()
    await save(cookie, { slack_enabled: 'on', slack_bot_token: BOT_TOKEN, slack_channel: 'C0TEST' })
    const ok = await app().request('/admin/chat/test', formPost({ destination: 'slack' }, { cookie }))
    expect(await ok.text()).toContain('Slack accepted the test message.')
    const [post] = chat.to('/api/chat.postMessage').filter((r) => r.body.channel === 'C0TEST')
    expect(post!.body.text).toContain('Test message from Escalation Desk')

    await save(cookie, { slack_enabled: 'on', slack_channel: 'C0GONE2' })
    const refused = await app().request('/admin/chat/test', formPost({ destination: 'slack' }, { cookie }))
    expect(await refused.text()).toContain('Slack refused the test message: Slack answered channel_not_found.')
    const notSet = await app().request('/admin/chat/test', formPost({ destination: 'teams' }, { cookie }))
    expect(await notSet.text()).toContain('Teams is not set up')

    const audits = await db<{ details: { outcome: string } }[]>`
      select details from audit_events where org_id = ${org.id} and action = 'org.chat_test' order by seq`
    expect(audits.map((a) => a.details.outcome)).toEqual(['sent', 'failed', 'failed'])
  })
})
