import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'

// A double click makes one case, one note (src/http/idempotency.ts, views/static/desk.js): in
// Chromium, on the plain "New escalation" form and on the case page's htmx note form. The button
// is disabled once the form is on its way; where a second submission gets out anyway (sent
// twice in the same instant, before any button could be disabled), both carry the same key and
// the server does the work once.

describe('double submissions in the browser', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let orgId: string

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_double_submit'), openBrowser()])
    ;[{ id: orgId }] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
    await signIn(browser.page, desk.printedSignInLink())
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  const casesWithSubject = async (subject: string) =>
    (await desk.db<{ id: string }[]>`select id from cases where org_id = ${orgId} and subject = ${subject}`).map((r) => r.id)

  async function fillNewCase(subject: string) {
    const { page } = browser
    await page.goto(`${desk.url}/cases/new`)
    await page.getByLabel('Customer name').fill('Pat Doe')
    await page.getByLabel('Customer email').fill('pat@customer.test')
    await page.getByLabel('Subject').fill(subject)
    await page.getByLabel('What happened').fill('The customer phoned about an order that never arrived.')
  }

  it('double-clicking "Open the case" opens one case', async () => {
    const { page } = browser
    const subject = `Double click ${Date.now()}`
    await fillNewCase(subject)
    const button = page.getByRole('button', { name: 'Open the case' })
    // A slow network: each post reaches the server at once (Playwright sends it), its answer
    // comes back 300 ms later. Without the key, Chromium drops the first navigation for the
    // second and the server has opened two cases.
    await page.route(`${desk.url}/cases**`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      const response = await route.fetch({ maxRedirects: 0, headers: { ...route.request().headers(), origin: desk.url } })
      await new Promise((resolve) => setTimeout(resolve, 300))
      // Playwright does not follow a fulfilled redirect: the page follows it itself.
      const location = response.headers()['location'] ?? '/'
      await route
        .fulfill({ status: 200, contentType: 'text/html', body: `<meta http-equiv="refresh" content="0;url=${location}">` })
        .catch(() => undefined)
    })
    const arrived = page.waitForURL(/\/cases\/[0-9a-f-]{36}/)
    await button.click({ noWaitAfter: true })
    await page.waitForTimeout(80)
    await button.click({ force: true, noWaitAfter: true, timeout: 1000 }).catch(() => undefined)
    await arrived
    await page.unroute(`${desk.url}/cases**`)
    const ids = await casesWithSubject(subject)
    expect(ids).toHaveLength(1)
    expect(page.url()).toContain(`/cases/${ids[0]}`)
  })

  it('a second submission that gets past the disabled button (Enter in a field) opens no second case', async () => {
    const { page } = browser
    const subject = `Second submission ${Date.now()}`
    await fillNewCase(subject)
    await page.locator('form#new-case').evaluate((form: HTMLFormElement) => {
      form.requestSubmit()
      setTimeout(() => form.requestSubmit(), 40)
    })
    // The first navigation may be dropped for the second; either way the page lands on the case.
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/\/cases\/[0-9a-f-]{36}/)
    await page.waitForLoadState()
    // The server answered both; the first request's case is the only one.
    await expect.poll(() => casesWithSubject(subject)).toHaveLength(1)
  })

  it('back to the filled form and "Open the case" again, unchanged: still one case', async () => {
    const { page } = browser
    const subject = `Back button ${Date.now()}`
    await fillNewCase(subject)
    await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]{36}/), page.getByRole('button', { name: 'Open the case' }).click()])
    const first = page.url()
    await page.goBack()
    await fillNewCase(subject) // as the browser's form restore would leave it
    await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]{36}/), page.getByRole('button', { name: 'Open the case' }).click()])
    expect(page.url()).toBe(first)
    expect(await casesWithSubject(subject)).toHaveLength(1)
  })

  it('double-clicking "Add note" (htmx) adds one note; the next note, even with the same words, is its own', async () => {
    const { page, record } = browser
    const [kase] = await desk.db<{ id: string }[]>`select id from cases where org_id = ${orgId} order by opened_at desc limit 1`
    await page.goto(`${desk.url}/cases/${kase!.id}`)
    const notes = async () => (await desk.db`select text_body from messages where case_id = ${kase!.id} and direction = 'note'`).length
    const before = await notes()
    const noteBox = page.getByLabel('Internal note')
    const button = page.getByRole('button', { name: 'Add note' })
    /** Until the answer has been swapped in: a box filled before that is replaced by the new, empty one. */
    const answered = async () => {
      await expect.poll(() => noteBox.inputValue(), { timeout: 5000 }).toBe('')
      await expect.poll(() => button.isEnabled(), { timeout: 5000 }).toBe(true)
    }
    await noteBox.fill('Called the customer back.')
    await button.dblclick()
    await expect.poll(notes, { message: 'the double click', timeout: 5000 }).toBe(before + 1)
    await answered()
    await page.waitForTimeout(500) // a second request would have landed by now
    expect(await notes()).toBe(before + 1)
    await noteBox.fill('Sent the replacement.')
    await button.click()
    await expect.poll(notes, { message: 'the second note', timeout: 5000 }).toBe(before + 2)
    await answered()
    // The first note's words again, later: a new note, not a replay of the first.
    await noteBox.fill('Called the customer back.')
    await button.click()
    await expect.poll(notes, { message: 'the first words again', timeout: 5000 }).toBe(before + 3)
    expect(record.pageErrors).toEqual([])
    expect(record.consoleErrors).toEqual([])
  })
})
