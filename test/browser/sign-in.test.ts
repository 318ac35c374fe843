import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'

describe('sign-in by emailed link, in the browser', () => {
  let desk: DeskServer
  let browser: DeskBrowser

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_sign_in'), openBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it('requests a link, opens it from the dev mailbox, confirms, and lands on the queue', async () => {
    const { page, context, record } = browser
    const sessionCookie = async () => (await context.cookies()).find((c) => c.name === 'desk_session')

    // Signed out, the queue sends the browser to the sign-in form.
    await page.goto(`${desk.url}/`)
    await page.waitForURL((url) => url.pathname === '/sign-in')

    await page.getByLabel('Email address').fill('admin@example.com')
    await page.getByRole('button', { name: 'Email me a link' }).click()
    await expect.poll(() => page.getByRole('status').innerText()).toContain('a link is on its way')

    // The mail is delivered after the answer: reload the dev mailbox until it is there.
    await page.getByRole('link', { name: 'dev mailbox' }).click()
    await page.waitForURL((url) => url.pathname === '/dev/mailbox')
    const mail = page.locator('article.mail', { hasText: 'Sign in to Escalation Desk' })
    await expect
      .poll(
        async () => {
          if ((await mail.count()) === 0) await page.reload()
          return mail.count()
        },
        { timeout: 5_000 },
      )
      .toBe(1)
    await expect.poll(() => mail.innerText()).toContain('admin@example.com')

    // Opening the link shows a button and changes nothing: no session until it is pressed.
    await mail.locator('a[href*="/sign-in/confirm?token="]').click()
    await page.waitForURL((url) => url.pathname === '/sign-in/confirm')
    await expect.poll(() => page.locator('h1').innerText()).toBe('Sign in to Escalation Desk')
    expect(await sessionCookie()).toBeUndefined()

    await page.getByRole('button', { name: 'Continue and sign in' }).click()
    await page.waitForURL((url) => url.pathname === '/')
    await expect.poll(() => page.locator('h1').innerText()).toBe('Escalations')
    await expect.poll(() => page.locator('.user-menu').innerText()).toContain('(admin)')
    const cookie = await sessionCookie()
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' })

    // The link is used up: opening it again and pressing the button does not sign in again.
    await page.goBack()
    await page.waitForURL((url) => url.pathname === '/sign-in/confirm')
    await page.getByRole('button', { name: 'Continue and sign in' }).click()
    await expect.poll(() => page.locator('main').innerText()).toContain('already been used')

    expect(record.pageErrors).toEqual([])
    expect(record.consoleErrors.filter((e) => !/status of 400/.test(e))).toEqual([])
    expect(record.dialogs).toEqual([])
    expect(record.foreignRequests).toEqual([])
  })
})
