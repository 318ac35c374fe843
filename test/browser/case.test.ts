import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

type Marked = Window & { __noReload?: boolean }

describe('the case page in the browser', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let label: string

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_case'), openBrowser()])
    const outcome = await desk.ingest(
      buildEml({
        from: 'Dana Reyes <dana@northwind.test>',
        subject: 'Fwd: Your refund promise',
        body: 'I was promised a refund three weeks ago. If I do not hear back within 7 days I will contact my lawyer and the press.',
      }),
    )
    label = outcome.case!
    await signIn(browser.page, desk.printedSignInLink())
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it('opens a case from the queue and assigns an owner in place, shown in the timeline', async () => {
    const { page, record } = browser
    await page.locator('table.queue').getByRole('link', { name: label }).click()
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/)
    await expect.poll(() => page.locator('.case-head h1').innerText()).toContain('Your refund promise')

    // htmx is live on this page: loaded, and the CSP gate (hx-csp) kept the forms' hx- attributes.
    expect(await page.evaluate(() => typeof (window as { htmx?: unknown }).htmx)).toBe('object')
    const assignForm = page.locator('form[action$="/assign"]')
    expect(await assignForm.getAttribute('hx-post')).toMatch(/\/assign$/)
    await page.evaluate(() => ((window as Marked).__noReload = true))

    const owner = await assignForm.locator('select[name=ownerId] option', { hasText: 'admin' }).first().getAttribute('value')
    await assignForm.locator('select[name=ownerId]').selectOption(owner!)
    const posted = page.waitForResponse((r) => r.url().endsWith('/assign') && r.request().method() === 'POST')
    await assignForm.getByRole('button', { name: 'Assign owner' }).click()
    const response = await posted
    expect(response.status()).toBe(200)
    expect(response.request().headers()['hx-request']).toBe('true')

    await expect.poll(() => page.locator('#timeline li[data-action="case.assign"]').innerText()).toMatch(/assigned .+ as owner/)
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Owner assigned')
    expect(await page.locator('.actions').innerText()).toContain('not yet acknowledged')
    // Same document: the swap happened in place.
    expect(await page.evaluate(() => (window as Marked).__noReload)).toBe(true)

    // The swapped-in forms are live too (their nonce was adopted by hx-csp): acknowledge in place.
    const acknowledged = page.waitForResponse((r) => r.url().endsWith('/acknowledge') && r.request().headers()['hx-request'] === 'true')
    await page.getByRole('button', { name: /acknowledge/ }).click()
    expect((await acknowledged).status()).toBe(200)
    await expect.poll(() => page.locator('#timeline li[data-action="case.acknowledge"]').count()).toBe(1)
    expect(await page.evaluate(() => (window as Marked).__noReload)).toBe(true)

    expect(record.pageErrors).toEqual([])
    expect(record.consoleErrors).toEqual([])
    expect(record.dialogs).toEqual([])
    expect(record.foreignRequests).toEqual([])
  })

  it('refuses a severity change without a reason, in place, with the message', async () => {
    const { page } = browser
    const form = page.locator('form[action$="/severity"]')
    await form.locator('select[name=severity]').selectOption('SEV-1')
    const posted = page.waitForResponse((r) => r.url().endsWith('/severity'))
    await form.getByRole('button', { name: 'Change severity' }).click()
    // A refusal a person can fix: 4xx, which htmx 4 swaps like any answer.
    expect((await posted).status()).toBeGreaterThanOrEqual(400)
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/reason/i)
    expect(await page.evaluate(() => (window as Marked).__noReload)).toBe(true)
  })

  it('saves a screenshot of the case page', async () => {
    await browser.page.reload()
    await saveScreenshot(browser.page, 'case-desktop')
    expect(browser.record.pageErrors).toEqual([])
  })
})
