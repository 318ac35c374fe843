import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, recordedContext, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

// The case page answers "what do I do now?": one next step with one primary button, at the top
// under the clocks; on a phone the page reads header, clocks, next step, customer, thread, with
// the actions in a bar at the bottom of the screen; an answer shows beside the form that was sent.
describe('the next step on the case page', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let casePath: string

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_next_action'), openBrowser({ width: 1366, height: 900 })])
    const outcome = await desk.ingest(
      buildEml({
        from: '陈美玲 <meiling.chen@example.cn>',
        subject: `Refund never arrived ${'and-nobody-answers-'.repeat(20)}`,
        body: 'I was promised a refund three weeks ago. I will contact my lawyer.',
      }),
    )
    await signIn(browser.page, desk.printedSignInLink())
    casePath = (await browser.page.locator('table.queue').getByRole('link', { name: outcome.case! }).getAttribute('href'))!
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  const primaries = () => browser.page.locator('#case .primary:visible')

  it('walks the next step from "Assign an owner" to "Acknowledge" to "Request approval", one primary button each time', async () => {
    const { page, record } = browser
    await page.goto(`${desk.url}${casePath}`)
    const bar = page.locator('#next-action')
    expect(await bar.locator('h2').innerText()).toBe('Assign an owner')
    expect(await primaries().count()).toBe(1)
    // The long subject is clamped; its whole text is one click away.
    expect(await page.locator('.case-head h1').getAttribute('title')).toContain('and-nobody-answers-and-nobody-answers-')
    await page.getByText(/Show the whole subject/).click()
    expect(await page.locator('.full-subject p').isVisible()).toBe(true)

    await bar.locator('select[name=ownerId]').selectOption({ label: 'Demo Admin (admin)' })
    await bar.getByRole('button', { name: 'Assign owner' }).click()
    await expect.poll(() => bar.locator('h2').innerText()).toBe('Acknowledge')
    // The confirmation is beside the button that was pressed, announced politely.
    expect(await bar.getByRole('status').innerText()).toContain('Owner assigned')
    expect(await bar.getByRole('status').getAttribute('aria-live')).toBe('polite')
    // The pressed button was swapped away: the keyboard continues from its answer.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toContain('Owner assigned')
    expect(await primaries().count()).toBe(1)

    await bar.getByRole('button', { name: /acknowledge/ }).click()
    // The template draft is written in the background; the bar asks for approval once it lands.
    await expect
      .poll(
        async () => {
          await page.reload()
          return bar.locator('h2').innerText()
        },
        { timeout: 20_000 },
      )
      .toBe('Request approval')
    expect(await primaries().count()).toBe(1)
    expect(await page.getByRole('button', { name: /Request approval of version 1/ }).count()).toBe(1)
    await page.getByRole('button', { name: /Request approval of version 1/ }).click()
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Approval requested')
    // Whoever asked is not among those the page says it waits for (here the admin is the only approver).
    expect(await page.locator('[data-waiting]').innerText()).toMatch(/^Waiting for your decision since /)
    expect(await bar.locator('h2').innerText()).toBe('Approve the reply')
    await saveScreenshot(page, 'next-action-1366')
    expect(record.consoleErrors).toEqual([])
  })

  it('shows a refusal beside the form that was sent, announced at once', async () => {
    const { page } = browser
    const form = page.locator('form[action$="/severity"]')
    await form.locator('select[name=severity]').selectOption('SEV-1')
    await form.getByRole('button', { name: 'Change severity' }).click()
    const alert = page.getByRole('alert').filter({ hasText: /reason/i })
    await expect.poll(() => alert.count()).toBe(1)
    expect(await alert.getAttribute('aria-live')).toBe('assertive')
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('alert')
    const [alertBox, formBox] = [await alert.boundingBox(), await form.boundingBox()]
    expect(Math.abs(formBox!.y - (alertBox!.y + alertBox!.height))).toBeLessThan(40)
  })

  it('on a phone: header, clocks, next step, customer, then the thread; the actions bar stays at the bottom', async () => {
    const state = await browser.context.storageState()
    const { context, page, record } = await recordedContext(browser.browser, { width: 390, height: 844, storageState: state })
    await page.goto(`${desk.url}${casePath}`)
    const top = (selector: string) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().top + window.scrollY)
    const order = [await top('.case-head'), await top('.clocks'), await top('#next-action'), await top('#customer'), await top('#thread')]
    expect([...order].sort((a, b) => a - b)).toEqual(order)
    // Big clocks, readable at a glance.
    expect(
      await page
        .locator('.clocks .countdown')
        .first()
        .evaluate((e) => parseFloat(getComputedStyle(e).fontSize)),
    ).toBeGreaterThanOrEqual(20)
    const barAt = async () =>
      page.locator('nav.case-bar').evaluate((e) => Math.round(e.getBoundingClientRect().bottom - window.innerHeight))
    expect(await barAt()).toBe(0)
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2))
    expect(await barAt()).toBe(0)
    await page.locator('nav.case-bar').getByRole('link', { name: 'Note' }).click()
    await expect.poll(() => page.locator('textarea[name=text]').isVisible()).toBe(true)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.screenshot({ path: (await saveScreenshot(page, 'next-action-390')).replace('.png', '-first-screen.png') })
    expect(record.consoleErrors).toEqual([])
    await context.close()
  })

  it("the approval page on a phone: the customer's words before the reply and Approve; a refusal beside the buttons, in view", async () => {
    const [mail] = await desk.db<{ text: string }[]>`
      select text_body as text from dev_mailbox where subject like 'Approval needed%' order by created_at desc limit 1`
    const link = /(http:\/\/\S+\/approve\?token=\S+)/.exec(mail!.text)![1]!
    const { context, page, record } = await recordedContext(browser.browser, { width: 390, height: 844 })
    await page.goto(link)
    const top = (locator: ReturnType<typeof page.locator>) => locator.evaluate((e) => e.getBoundingClientRect().top + window.scrollY)
    const said = page.locator('#customer-said')
    expect(await said.innerText()).toContain('I was promised a refund three weeks ago')
    const approve = page.getByRole('button', { name: 'Approve and send' })
    expect(await top(said)).toBeLessThan(await top(page.locator('textarea[name=body]')))
    expect(await top(page.locator('textarea[name=body]'))).toBeLessThan(await top(approve))
    await page.getByRole('button', { name: 'Reject' }).click()
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.innerText()).toMatch(/why you reject/)
    // Scrolled to the message, which sits right above the buttons (the scroll may land a frame
    // after the text on a loaded machine: wait for it, then measure).
    const inView = async () => {
      const b = await alert.boundingBox()
      return b !== null && b.y >= 0 && b.y + b.height <= 844
    }
    await expect.poll(inView).toBe(true)
    const box = (await alert.boundingBox())!
    expect(box.y).toBeGreaterThanOrEqual(0)
    expect(box.y + box.height).toBeLessThanOrEqual(844)
    expect(Math.abs((await top(page.locator('.toolbar'))) - (await top(alert)) - box.height)).toBeLessThan(40)
    await saveScreenshot(page, 'approval-refused-390')
    // Chromium logs the refusal's own 400 as a failed resource; nothing else may appear.
    expect(record.consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([])
    await context.close()
  })

  it('with reduced motion the clocks show their due time instead of ticking', async () => {
    const state = await browser.context.storageState()
    const { context, page } = await recordedContext(browser.browser, { width: 1366, storageState: state })
    await page.emulateMedia({ reducedMotion: 'reduce' })
    await page.goto(`${desk.url}${casePath}`)
    const clock = page.locator('.clocks .countdown[data-due]').first()
    expect(await clock.locator('.clock-text').isVisible()).toBe(false)
    expect(await clock.locator('.clock-due').innerText()).toMatch(/^due \d+ \w+ \d{4}, \d\d:\d\d UTC$/)
    await context.close()
  })
})
