import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDesk, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'
import { arrangeCase, minutes } from '../support/digest.ts'

// `npm start` runs the scheduler beside the job loop: no cron, no second process.
describe('the Node server schedules digests and alerts in-process', () => {
  let desk: DeskServer
  let orgId: string

  beforeAll(async () => {
    desk = await startDesk('digest_server', { SCHEDULER_INTERVAL_SECONDS: '1' })
    ;[{ id: orgId }] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
  }, 60_000)
  afterAll(async () => {
    await desk?.shutdown()
  })

  const poll = async <T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> => {
    for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 200))) {
      const value = await read()
      if (done(value) || Date.now() - started > ms) return value
    }
  }
  const held = () => desk.db<{ to: string[]; subject: string; key: string }[]>`
    select to_addresses as "to", subject, idempotency_key as key from dev_mailbox where org_id = ${orgId} and idempotency_key not like 'sign-in/%' order by created_at`

  it('sends the due digest and a new SEV-1 alert within seconds, each once', async () => {
    // The demo org was created just now; stand it where today's 00:00 digest is due.
    await desk.db`update orgs set digest_hour = 0, created_at = now() - interval '2 days' where id = ${orgId}`
    // Overdue for days: the digest's news, no longer the escalation chain's (it looks back a day).
    await arrangeCase(desk.db, orgId, {
      subject: 'Overdue for days',
      nextDeadlineAt: new Date(Date.now() - minutes(3 * 1440)),
      nextAtRiskAt: new Date(Date.now() - minutes(3 * 1440 + 100)),
    })
    const sev1 = await desk.ingest(
      buildEml({
        subject: 'Your heater caught fire and injured my son',
        body: 'The heater caught fire; my son was injured and is in hospital.',
      }),
    )
    expect(sev1.status).toBe('created')

    const mail = await poll(held, (m) => m.some((x) => x.key.startsWith('digest/')) && m.some((x) => x.key.includes('/new_sev1/')))
    expect(mail.filter((m) => m.key.startsWith('digest/'))).toEqual([
      expect.objectContaining({ to: ['admin@example.com'], subject: expect.stringMatching(/1 breached/) }),
    ])
    expect(mail.filter((m) => m.key.includes('/new_sev1/'))).toEqual([
      expect.objectContaining({ to: ['admin@example.com'], subject: expect.stringMatching(new RegExp(`^SEV-1: ${sev1.case} `)) }),
    ])
    await new Promise((r) => setTimeout(r, 2500)) // two more ticks
    expect((await held()).filter((m) => m.key.startsWith('digest/') || m.key.startsWith('alert/'))).toHaveLength(2)
  })
})
