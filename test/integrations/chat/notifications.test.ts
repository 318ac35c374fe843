import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startChatServer } from '../../support/chat-server.ts'
import { testEnv } from '../../support/app.ts'
import { seedOrg, testDb } from '../../support/db.ts'
import { BOT_TOKEN, chatDeliveries, chatJobs, customerText, drainChat, openCase, setUpChat } from './support.ts'

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

type Block = { type: string; text?: { text: string }; elements?: { url: string }[] }
const posts = (channel?: string) => chat.to('/api/chat.postMessage').filter((r) => !channel || r.body.channel === channel)
/** The posts about one case (case numbers repeat across organizations; ids do not). */
const postsAbout = (caseId: string, channel?: string) => posts(channel).filter((r) => r.raw.includes(caseId))

describe('chat notifications', () => {
  it('an org that has not set Slack or Teams up gets no deliveries, nor one whose settings are all off', async () => {
    const org = await seedOrg(db)
    const before = chat.requests.length
    await openCase(db, org.id)
    await drainChat(db, env(), org.id)
    expect(await chatJobs(db, org.id)).toEqual([])

    // Saved, but turned off: no subscription, so not even a case event is queued.
    await setUpChat(db, env(), org.id, { botToken: { set: BOT_TOKEN }, slackChannel: 'C0DESK' })
    expect(await db`select 1 from event_subscriptions where org_id = ${org.id}`).toHaveLength(0)
    await openCase(db, org.id)
    await drainChat(db, env(), org.id)
    expect(await db`select 1 from jobs where org_id = ${org.id} and kind in ('case_event', 'chat_notify')`).toHaveLength(0)
    expect(chat.requests.length).toBe(before)
  })

  it('a new SEV-1 case posts the summary line and a link through chat.postMessage, never the customer’s text', async () => {
    const org = await seedOrg(db)
    await setUpChat(db, env(), org.id, { slackEnabled: true, botToken: { set: BOT_TOKEN }, slackChannel: 'C0DESK' })
    expect(await db`select sink from event_subscriptions where org_id = ${org.id}`).toEqual([{ sink: 'chat' }])
    const c = await openCase(db, org.id)
    await drainChat(db, env(), org.id)

    const [post, ...more] = postsAbout(c.id, 'C0DESK')
    expect(more).toEqual([])
    expect(post!.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`)
    expect(post!.body.text).toMatch(new RegExp(`^New SEV-1 escalation: ${c.label} · SEV-1 · Form · Jörg Müller · due in 1[45] min$`))
    const blocks = post!.body.blocks as Block[]
    expect(blocks[0]!.text!.text).toContain(`<https://desk.example.com/cases/${c.id}|${c.label}>`)
    expect(blocks[1]!.elements![0]!.url).toBe(`https://desk.example.com/cases/${c.id}`)
    // Neither the body nor (by default) the subject: only the summary line.
    expect(post!.raw).not.toMatch(/4111|Clara|Refund refused/)
    expect(await chatDeliveries(db, org.id)).toEqual([{ destination: 'slack', eventType: 'case.created', outcome: 'sent', detail: null }])

    // With the subject turned on, the subject line is added; the body still never is.
    await setUpChat(db, env(), org.id, { slackEnabled: true, slackChannel: 'C0DESK', includeSubject: true })
    const second = await openCase(db, org.id, { subject: 'Rude call, no refund' })
    await drainChat(db, env(), org.id)
    const [withSubject] = postsAbout(second.id, 'C0DESK')
    expect((withSubject!.body.blocks as Block[])[0]!.text!.text).toContain('Rude call, no refund')
    expect(withSubject!.raw).not.toContain(customerText.slice(0, 20))
  })

  it('an ordinary case posts nothing; routes send a severity or a source to its own channel', async () => {
    const org = await seedOrg(db)
    await setUpChat(db, env(), org.id, {
      slackEnabled: true,
      botToken: { set: BOT_TOKEN },
      slackChannel: 'C0DESK',
      slackRoutes: [
        { severity: 'SEV-2', source: null, channel: 'C0SEV2' },
        { severity: null, source: 'lawyer', channel: 'C0LEGAL' },
      ],
    })
    const quiet = await openCase(db, org.id, { severity: 'SEV-3' })
    const sev2Lawyer = await openCase(db, org.id, { severity: 'SEV-2', source: 'lawyer' })
    const sev1Lawyer = await openCase(db, org.id, { severity: 'SEV-1', source: 'lawyer' })
    const sev1Form = await openCase(db, org.id, { severity: 'SEV-1' })
    await drainChat(db, env(), org.id)
    const channelOf = (caseId: string) => postsAbout(caseId).map((r) => r.body.channel)
    expect(channelOf(quiet.id)).toEqual([])
    expect(channelOf(sev2Lawyer.id)).toEqual(['C0SEV2'])
    expect(channelOf(sev1Lawyer.id)).toEqual(['C0LEGAL'])
    expect(channelOf(sev1Form.id)).toEqual(['C0DESK'])
  })

  it('Teams gets an Adaptive Card, a Slack incoming webhook its blocks; names cannot mention @channel', async () => {
    const org = await seedOrg(db)
    await setUpChat(db, env(), org.id, {
      slackEnabled: true,
      webhookUrl: { set: `${chat.baseUrl}/services/T0/B0/${org.id}` },
      teamsEnabled: true,
      teamsUrl: { set: `${chat.baseUrl}/teams/${org.id}` },
    })
    const c = await openCase(db, org.id, { customerName: '<!channel> [Eve](https://evil.test)', severity: 'SEV-2' })
    await drainChat(db, env(), org.id)

    const [card] = chat.to(`/teams/${org.id}`)
    const attachment = (card!.body.attachments as { contentType: string; contentUrl: null; content: Record<string, unknown> }[])[0]!
    expect(card!.body.type).toBe('message')
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive')
    expect(attachment.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' })
    expect((attachment.content.actions as { type: string; url: string }[])[0]).toEqual({
      type: 'Action.OpenUrl',
      title: `Open ${c.label}`,
      url: `https://desk.example.com/cases/${c.id}`,
    })
    expect(JSON.stringify(attachment.content.body)).toContain('New SEV-2 escalation')
    expect(card!.raw).not.toContain('](https://evil.test)')

    const [hook] = chat.to(`/services/T0/B0/${org.id}`)
    expect(hook!.body.text).toContain(`New SEV-2 escalation: ${c.label}`)
    expect(hook!.raw).not.toContain('<!channel>')
    expect(hook!.body.text).toContain('&lt;!channel&gt;')
    for (const r of [card!, hook!]) expect(r.raw).not.toMatch(/4111|Clara|Refund refused/)
  })

  it('another organization’s events never post to this organization’s channel', async () => {
    const [mine, theirs] = [await seedOrg(db), await seedOrg(db)]
    for (const org of [mine, theirs]) {
      await setUpChat(db, env(), org.id, { slackEnabled: true, webhookUrl: { set: `${chat.baseUrl}/services/${org.id}` } })
    }
    const c = await openCase(db, theirs.id)
    await drainChat(db, env(), theirs.id)
    await drainChat(db, env(), mine.id)
    expect(chat.to(`/services/${theirs.id}`).map((r) => r.body.text)).toEqual([expect.stringContaining(c.label)])
    expect(chat.to(`/services/${mine.id}`)).toEqual([])
  })

  it('a 429 is retried at Slack’s Retry-After; an answer that would repeat is recorded and not retried', async () => {
    const org = await seedOrg(db)
    await setUpChat(db, env(), org.id, { slackEnabled: true, botToken: { set: BOT_TOKEN }, slackChannel: 'C0DESK' })
    chat.failNext('/api/chat.postMessage', { status: 429, body: '{"ok":false,"error":"ratelimited"}', retryAfter: 30 })
    const c = await openCase(db, org.id)
    const started = Date.now()
    await drainChat(db, env(), org.id)
    const [waiting] = await chatJobs(db, org.id)
    expect(waiting).toMatchObject({ attempts: 1, doneAt: null, failedAt: null })
    expect(waiting!.runAt.getTime() - started).toBeGreaterThanOrEqual(29_000)
    expect(await chatDeliveries(db, org.id)).toEqual([])

    await db`update jobs set run_at = now() where id = ${waiting!.id}`
    await drainChat(db, env(), org.id)
    expect((await chatJobs(db, org.id))[0]!.doneAt).not.toBeNull()
    expect(postsAbout(c.id, 'C0DESK')).toHaveLength(2) // the refused one and the retry

    // ok: false, channel_not_found: asking again would get the same answer.
    await setUpChat(db, env(), org.id, { slackEnabled: true, slackChannel: 'C0GONE1' })
    const before = posts('C0GONE1').length
    await openCase(db, org.id)
    await drainChat(db, env(), org.id)
    expect(posts('C0GONE1').length - before).toBe(1)
    const jobs = await chatJobs(db, org.id)
    expect(jobs.at(-1)).toMatchObject({ attempts: 1, failedAt: null })
    expect(jobs.at(-1)!.doneAt).not.toBeNull()
    expect((await chatDeliveries(db, org.id)).at(-1)).toEqual({
      destination: 'slack',
      eventType: 'case.created',
      outcome: 'failed',
      detail: 'Slack answered channel_not_found',
    })
  })

  it('Teams: a 400 is permanent, a 500 is retried', async () => {
    const org = await seedOrg(db)
    await setUpChat(db, env(), org.id, { teamsEnabled: true, teamsUrl: { set: `${chat.baseUrl}/teams/x-${org.id}` } })
    chat.failNext(`/teams/x-${org.id}`, { status: 500, body: 'Internal error' })
    chat.failNext(`/teams/x-${org.id}`, { status: 400, body: 'Bad payload received by generic incoming webhook.' })
    await openCase(db, org.id)
    await drainChat(db, env(), org.id)
    expect(chat.to(`/teams/x-${org.id}`)).toHaveLength(2)
    expect(await chatDeliveries(db, org.id)).toEqual([
      {
        destination: 'teams',
        eventType: 'case.created',
        outcome: 'failed',
        detail: 'Teams answered HTTP 400: Bad payload received by generic incoming webhook.',
      },
    ])
  })
})
