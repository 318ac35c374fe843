import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, recordedContext, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

// The queue as a page a team lives in: a filter's URL is a real page (reload, bookmark, share),
// j/k/Enter and / work from the keyboard, the row density is remembered, and a subject of any
// length is one line with its whole text on hover, at desktop and phone width.

const longSubject = `Complaint ${'about the unbearable delay of my order and everything else '.repeat(12)}Überfällig Жалоба 我们的订单 ${'x'.repeat(300)}`

describe('the queue page', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let orgId: string
  const ids: Record<string, string> = {}

  async function ingest(key: string, mail: Parameters<typeof buildEml>[0]) {
    const outcome = await desk.ingest(buildEml(mail))
    const [row] = await desk.db<{ id: string }[]>`select id from cases where org_id = ${orgId} and 'ESC-' || number = ${outcome.case}`
    ids[key] = row!.id
  }

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_queue_page'), openBrowser({ width: 1366, height: 900 })])
    ;[{ id: orgId }] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
    await ingest('fire', {
      from: 'Dana Reyes <dana@northwind.test>',
      subject: 'Space heater caught fire',
      body: 'The heater caught fire and my colleague was injured.',
    })
    await ingest('long', { from: 'Sam Okafor <sam@example.org>', subject: 'Placeholder', body: 'My order is late and nobody answers.' })
    await desk.db`update cases set subject = ${longSubject} where id = ${ids.long!}`
    await ingest('legal', {
      from: 'Lee Park <lee@northwind.test>',
      subject: 'Considering legal action',
      body: 'Your invoices are wrong again and I am considering legal action.',
    })
    await signIn(browser.page, desk.printedSignInLink())
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it('a filter puts the page URL in the address bar; reloading it shows the whole, styled page', async () => {
    const { page, record } = browser
    await page.goto(`${desk.url}/`)
    await page.getByLabel('Severity').selectOption('SEV-1')
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('severity') === 'SEV-1')
    await expect.poll(() => page.locator('table.queue tbody tr').count()).toBe(1)
    await page.reload()
    expect(await page.locator('h1').innerText()).toBe('Escalations')
    expect(await page.locator('style').count()).toBeGreaterThan(0)
    expect(await page.getByLabel('Severity').inputValue()).toBe('SEV-1')
    expect(await page.locator('table.queue tbody tr').count()).toBe(1)
    // Search narrows the rows, and its words are in the URL too.
    await page.goto(`${desk.url}/`)
    await page.getByLabel('Search').fill('legal action')
    await page.waitForURL((url) => url.searchParams.get('q') === 'legal action')
    await expect.poll(() => page.locator('table.queue tbody tr').count()).toBe(1)
    expect(record.consoleErrors).toEqual([])
  })

  it('j/k move between rows, Enter opens the case, / goes to the search', async () => {
    const { page } = browser
    await page.goto(`${desk.url}/`)
    const rows = await page.locator('table.queue tbody tr').evaluateAll((trs) => trs.map((tr) => tr.id))
    await page.keyboard.press('j')
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.id)).toBe(rows[0])
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await page.keyboard.press('k')
    expect(await page.evaluate(() => document.activeElement?.closest('tr')?.id)).toBe(rows[1])
    expect(await page.locator('tr.current').getAttribute('id')).toBe(rows[1])
    await page.keyboard.press('/')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('queue-search')
    await page.keyboard.press('Escape')
    await page.keyboard.press('k')
    await Promise.all([page.waitForURL(/\/cases\//), page.keyboard.press('Enter')])
    expect(page.url()).toContain(`/cases/${rows[0]!.replace('case-', '')}`)
  })

  it('compact rows are remembered across a reload', async () => {
    const { page } = browser
    await page.goto(`${desk.url}/`)
    const height = () => page.locator(`tr#case-${ids.legal}`).evaluate((tr) => tr.getBoundingClientRect().height)
    const comfortable = await height()
    await page.getByLabel('Rows').selectOption('compact')
    await expect.poll(height).toBeLessThan(comfortable)
    await page.reload()
    expect(await page.getByLabel('Rows').inputValue()).toBe('compact')
    expect(await page.evaluate(() => document.documentElement.dataset.density)).toBe('compact')
    await page.getByLabel('Rows').selectOption('comfortable')
  })

  it('a 1,000-character subject is one line with its whole text on hover; no sideways scroll at 1366 or 390 px', async () => {
    const { page } = browser
    await page.goto(`${desk.url}/`)
    const subject = page.locator(`tr#case-${ids.long} .subject`)
    expect(await subject.getAttribute('title')).toBe(longSubject)
    const box = await subject.evaluate((e) => ({ height: e.getBoundingClientRect().height, cut: e.scrollWidth > e.clientWidth }))
    expect(box.cut).toBe(true)
    expect(box.height).toBeLessThan(30)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366)
    // The clock reads at a glance: at least 18 px.
    const size = await page
      .locator('table.queue .countdown')
      .first()
      .evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    expect(size).toBeGreaterThanOrEqual(18)
    await saveScreenshot(page, 'queue-long-subject-1366')
    const phone = await recordedContext(browser.browser, { width: 390, height: 844, storageState: await browser.context.storageState() })
    try {
      await phone.page.goto(`${desk.url}/`)
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      await saveScreenshot(phone.page, 'queue-long-subject-390')
      expect(phone.record.consoleErrors).toEqual([])
    } finally {
      await phone.context.close()
    }
  })
})
