import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { startSmtpListener, type SmtpListener } from '../../src/intake/smtp.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'
import { countFor, messageOf } from '../support/inbound.ts'
import { SmtpDialog } from '../support/smtp-client.ts'

const maxBytes = 8 * 1024

describe('desk smtp listener', () => {
  let db: Db
  let org: Org
  let other: Org
  let listener: SmtpListener
  const to = (o = org) => `escalations@${o.slug}.test`

  beforeAll(async () => {
    db = testDb()
    ;[org, other] = await Promise.all([seedOrg(db), seedOrg(db)])
    listener = await startSmtpListener(db, { port: 0, host: '127.0.0.1', maxBytes })
  })
  afterAll(async () => {
    await listener.close()
    await db.end()
  })

  async function open() {
    const { dialog, greeting } = await SmtpDialog.open(listener.port)
    expect(greeting.code).toBe(220)
    const ehlo = await dialog.send('EHLO client.test')
    expect(ehlo).toMatchObject({ code: 250, text: expect.stringContaining(`SIZE ${maxBytes}`) })
    return dialog
  }

  it('accepts a message for an org only once it is a case, and says which', async () => {
    const dialog = await open()
    expect((await dialog.send('MAIL FROM:<pat@customer.test>')).code).toBe(250)
    expect((await dialog.send(`RCPT TO:<${to()}>`)).code).toBe(250)
    const done = await dialog.data(buildEml({ to: 'ceo@company.test', subject: 'Over SMTP' }))
    await dialog.quit()
    expect(done.code).toBe(250)
    const label = /created (ESC-\d+)/.exec(done.text)?.[1]
    expect(label).toBeTruthy()
    expect((await messageOf(db, org.id, label!))?.subject).toBe('Over SMTP')
  })

  it('refuses recipients no org receives at, and defers a second org to its own transaction', async () => {
    const dialog = await open()
    await dialog.send('MAIL FROM:<pat@customer.test>')
    expect((await dialog.send('RCPT TO:<nobody@nowhere.test>')).code).toBe(550)
    expect((await dialog.send(`RCPT TO:<escalations+tag@${org.slug}.test>`)).code).toBe(250)
    expect((await dialog.send(`RCPT TO:<${to(other)}>`)).code).toBe(452)
    expect((await dialog.send('RSET')).code).toBe(250)
    await dialog.send('MAIL FROM:<pat@customer.test>')
    expect((await dialog.send(`RCPT TO:<${to(other)}>`)).code).toBe(250)
    await dialog.quit()
  })

  it('refuses a message over the size limit with 552 and stores nothing', async () => {
    const before = await countFor(db, org.id)
    const dialog = await open()
    await dialog.send('MAIL FROM:<pat@customer.test>')
    await dialog.send(`RCPT TO:<${to()}>`)
    const reply = await dialog.data(buildEml({ to: to(), body: 'x'.repeat(maxBytes * 2) }))
    expect(reply.code).toBe(552)
    // The connection stays usable for the next message.
    await dialog.send('MAIL FROM:<pat@customer.test>')
    await dialog.send(`RCPT TO:<${to()}>`)
    expect((await dialog.data(buildEml({ to: to() }))).code).toBe(250)
    await dialog.quit()
    const after = await countFor(db, org.id)
    expect(after.raw - before.raw).toBe(1)
  })

  it('answers 451 (retry later) when the database is down, so the sender keeps the message', async () => {
    const dead = connect('postgres://postgres@127.0.0.1:1/none', { max: 1, connect_timeout: 2 })
    const down = await startSmtpListener(dead, { port: 0, host: '127.0.0.1', maxBytes })
    try {
      const { dialog } = await SmtpDialog.open(down.port)
      await dialog.send('EHLO client.test')
      await dialog.send('MAIL FROM:<pat@customer.test>')
      expect((await dialog.send(`RCPT TO:<${to()}>`)).code).toBe(451)
      await dialog.quit()
    } finally {
      await down.close()
      await dead.end()
    }
  })
})
