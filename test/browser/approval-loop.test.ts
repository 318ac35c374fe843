import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { startResendServer } from '../support/resend-server.ts'

// The customer's original is attached to the CEO's forward, so its Message-ID is known and the
// reply can go out in the customer's own thread.
const customerMessageId = 'loop-original-7731@mail.northwind.test'
const forward = [
  'From: Alex Morgan <ceo@example.com>',
  'To: escalations@example.com',
  'Subject: Fwd: Third outage this month',
  'Date: Sun, 22 Nov 2026 08:00:00 +0000',
  'Message-ID: <ceo-fwd-loop-7731@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Can someone own this today? Robert is a big account.',
  '--b1',
  'Content-Type: message/rfc822',
  '',
  'From: Robert Chen <rchen@northwind.test>',
  'To: Alex Morgan <ceo@example.com>',
  'Subject: Third outage this month',
  'Date: Sat, 21 Nov 2026 21:14:00 +0000',
  `Message-ID: <${customerMessageId}>`,
  'Content-Type: text/plain; charset=utf-8',
  '',
  'This is the third outage this month. Our checkout was down for two hours.',
  'I need someone to explain what happened and what you will do about it.',
  '--b1--',
  '',
].join('\r\n')

describe('the whole loop in the browser: CEO forward → draft → approval link → edit → a second approver → approved reply in the thread', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let resend: Awaited<ReturnType<typeof startResendServer>>

  beforeAll(async () => {
    resend = await startResendServer()
    ;[desk, browser] = await Promise.all([
      startDesk('browser_loop', {
        RESEND_API_KEY: 're_test_key',
        RESEND_BASE_URL: resend.baseUrl,
        MAIL_FROM: 'Example Desk <desk@example.com>',
      }),
      openBrowser(),
    ])
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
    await resend?.close()
  })

  it(
    "sends the approver's edited reply, approved by a second approver, through Resend, threaded, and the case shows responded",
    { timeout: 90_000 },
    async () => {
      const { page, record } = browser
      const outcome = await desk.ingest(new TextEncoder().encode(forward))
      expect(outcome.status).toBe('created')
      // A big account's repeated outage is SEV-1/SEV-2: whoever edits the reply cannot approve it alone.
      const [org] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
      await desk.db`insert into app_users (org_id, email, name, role) values (${org!.id}, 'second@example.com', 'Sam Second', 'approver')`
      // Sign-in mail also goes through Resend here; the server printed a link at start.
      await signIn(page, desk.printedSignInLink())
      await page.locator('table.queue').getByRole('link', { name: outcome.case! }).click()
      await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/)
      const caseUrl = page.url()

      // The draft job runs in the server's background loop: the draft appears without any action.
      await expect
        .poll(
          async () => {
            await page.reload()
            return page.locator('#draft').innerText()
          },
          { timeout: 20_000 },
        )
        .toMatch(/Version 1|v1|version 1/i)
      await page.getByRole('button', { name: /Request approval/ }).click()
      await expect.poll(() => page.getByRole('status').innerText()).toContain('Approval requested')

      // The approvers' links arrive by mail (here held by the Resend stand-in).
      const invitesTo = (address: string) =>
        resend.emails.filter((e) => String(e.body.subject).startsWith('Approval needed') && JSON.stringify(e.body.to).includes(address))
      const linkIn = (mail: { body: Record<string, unknown> }) => /(http:\/\/\S+\/approve\?token=\S+)/.exec(String(mail.body.text))![1]!
      // The admin asked, so the other approver is asked (not the one who asked).
      await expect.poll(() => invitesTo('second@example.com').length).toBeGreaterThan(0)
      expect(invitesTo('admin@example.com')).toHaveLength(0)
      const link = linkIn(invitesTo('second@example.com')[0]!)

      // A fresh browser context, like the approver opening their mail: no session needed.
      const approverPage = await page.context().browser()!.newPage()
      await approverPage.goto(link)
      await expect.poll(() => approverPage.locator('h1').innerText()).toContain('Review the reply')
      const body = approverPage.locator('textarea[name=body]')
      const original = await body.inputValue()
      const edited = `${original}\n\nI will call you personally before 5pm today.`
      await body.fill(edited)
      for (const box of await approverPage.locator('input[name=ack]').all()) await box.check()
      await approverPage.getByRole('button', { name: 'Approve and send' }).click()
      // Four eyes: the edit is saved as version 2 and handed to the other approver.
      await expect.poll(() => approverPage.locator('h1').innerText()).toBe('Saved for a second approver')
      expect(await approverPage.locator('main').innerText()).toMatch(/version 2/i)
      expect(resend.emails.filter((e) => String(e.idempotencyKey).startsWith('reply/'))).toHaveLength(0)

      // The other approver's fresh link (for version 2: the admin did not write it) approves the first approver's text.
      await expect.poll(() => invitesTo('admin@example.com').length).toBeGreaterThan(0)
      const secondPage = await page.context().browser()!.newPage()
      await secondPage.goto(linkIn(invitesTo('admin@example.com').at(-1)!))
      await expect
        .poll(() => secondPage.locator('textarea[name=body]').inputValue())
        .toContain('I will call you personally before 5pm today.')
      for (const box of await secondPage.locator('input[name=ack]').all()) await box.check()
      await secondPage.getByRole('button', { name: 'Approve and send' }).click()
      await expect.poll(() => secondPage.locator('h1').innerText()).toBe('Approved')
      await saveScreenshot(secondPage, 'approval-approved')

      // The reply leaves through Resend, in the customer's thread, with the approver's edit.
      await expect
        .poll(() => resend.emails.filter((e) => String(e.idempotencyKey).startsWith('reply/')).length, { timeout: 20_000 })
        .toBe(1)
      const reply = resend.emails.find((e) => String(e.idempotencyKey).startsWith('reply/'))!
      expect(reply.body).toMatchObject({
        to: ['rchen@northwind.test'],
        headers: expect.objectContaining({
          'In-Reply-To': `<${customerMessageId}>`,
          References: expect.stringContaining(`<${customerMessageId}>`),
        }),
        reply_to: expect.stringMatching(/^escalations\+[\w-]+@example\.com$/),
      })
      expect(String(reply.body.text)).toContain('I will call you personally before 5pm today.')
      expect(String(reply.body.subject)).toMatch(/^Re: /)

      // Back on the case: responded, with the first-response time.
      await page.goto(caseUrl)
      await expect
        .poll(
          async () => {
            await page.reload()
            return page.locator('.case-head .chips').innerText()
          },
          { timeout: 10_000 },
        )
        .toContain('responded')
      expect(await page.locator('.clocks').innerText()).toMatch(/First response\s+sent /i)
      expect(await page.locator('#approval').innerText()).toMatch(/sent · version 2/)
      await saveScreenshot(page, 'case-responded')
      expect(record.pageErrors).toEqual([])
    },
  )
})
