import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recomputeClocks } from '../../src/sla/clocks.ts'
import { withOrg } from '../../src/db.ts'
import { openBrowser, recordedContext, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

const amber = 'rgb(138, 83, 0)' // --amber as views/components/portal-styles.ts sets it (4.5:1 on the badges' tints)
const red = 'rgb(198, 40, 40)' // --red

describe('the queue in the browser', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let orgId: string
  const ids: Record<string, string> = {}

  /** Opens a case the way real ones are (signed mail to /inbound/raw); returns its id. */
  async function ingest(key: string, mail: Parameters<typeof buildEml>[0]) {
    const outcome = await desk.ingest(buildEml(mail))
    expect(outcome.status).toBe('created')
    const [row] = await desk.db<{ id: string }[]>`select id from cases where org_id = ${orgId} and 'ESC-' || number = ${outcome.case}`
    ids[key] = row!.id
  }

  /** As if the mail had arrived `minutes` ago: move opened_at back and let the desk recompute. */
  async function openedMinutesAgo(key: string, minutes: number) {
    await desk.db`update cases set opened_at = opened_at - make_interval(mins => ${minutes}) where id = ${ids[key]!}`
    await withOrg(desk.db, orgId, (tx) => recomputeClocks(tx, orgId, ids[key]!))
  }

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_queue'), openBrowser()])
    ;[{ id: orgId }] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
    await desk.db`
      insert into accounts (org_id, domain, name, plan, annual_revenue, health)
      values (${orgId}, 'northwind.test', 'Northwind Traders', 'Enterprise', 480000, 'amber')`
    // SEV-1 (injury): 15 minutes to a first response, at risk in its last 7.5.
    await ingest('breached', {
      from: 'Dana Reyes <dana@northwind.test>',
      subject: 'Space heater caught fire',
      body: 'The heater you sold us caught fire and my colleague was injured.',
    })
    await ingest('atRisk', {
      from: 'Sam Okafor <sam@example.org>',
      subject: 'Charger exploded',
      body: 'The charger exploded on my desk. Nobody was injured but this is a safety hazard.',
    })
    await ingest('ok', {
      from: 'Lee Park <lee@northwind.test>',
      subject: 'Considering legal action',
      body: 'Your invoices are wrong again and I am considering legal action.',
    })
    await ingest('flips', {
      from: 'Ari Cohen <ari@example.net>',
      subject: 'Cancelling our subscription',
      body: 'We are cancelling our subscription at the end of the month.',
    })
    await openedMinutesAgo('breached', 20) // due 5 minutes ago
    await openedMinutesAgo('atRisk', 10) // due in 5 minutes, at risk since 2.5 minutes ago
    await signIn(browser.page, desk.printedSignInLink())
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  const row = (key: string) => browser.page.locator(`tr#case-${ids[key]}`)
  const clockText = (key: string) => row(key).locator('.countdown .clock-text').innerText()

  it('lists breached first, then least time left, with amber and red clocks', async () => {
    const { page } = browser
    await page.goto(`${desk.url}/`)
    const order = await page.locator('table.queue tbody tr').evaluateAll((rows) => rows.map((r) => r.id))
    expect(order.slice(0, 2)).toEqual([`case-${ids.breached}`, `case-${ids.atRisk}`])

    await expect.poll(() => row('breached').getAttribute('class')).toBe('breached')
    expect(await row('breached').locator('.countdown').getAttribute('class')).toMatch(/\bbreached\b/)
    expect(
      await row('breached')
        .locator('.countdown')
        .evaluate((e) => getComputedStyle(e).color),
    ).toBe(red)
    expect(await clockText('breached')).toMatch(/^breached \d+m \d\ds ago$/)

    expect(await row('atRisk').getAttribute('class')).toBe('at_risk')
    expect(await row('atRisk').locator('.countdown').getAttribute('class')).toMatch(/\bat_risk\b/)
    expect(
      await row('atRisk')
        .locator('.countdown')
        .evaluate((e) => getComputedStyle(e).color),
    ).toBe(amber)
    expect(await clockText('atRisk')).toMatch(/^[0-4]m \d\ds left$/)

    expect(await row('ok').locator('.countdown').getAttribute('class')).toMatch(/\bok\b/)
    expect(await page.locator('.counts').innerText()).toMatch(/1 breached\s*1 at risk\s*4 open/)
    // Account context from the customer's domain.
    expect(await row('breached').innerText()).toMatch(/Northwind Traders · Enterprise · \$480,000/)
  })

  it('ticks the countdowns in the page, without a reload', async () => {
    const { page } = browser
    await page.evaluate(() => ((window as { __noReload?: boolean }).__noReload = true))
    for (const key of ['atRisk', 'breached']) {
      const before = await clockText(key)
      await expect.poll(() => clockText(key), { timeout: 2_000, interval: 100 }).not.toBe(before)
    }
    expect(await page.evaluate(() => (window as { __noReload?: boolean }).__noReload)).toBe(true)
  })

  it('turns a row amber, then red, as its deadlines pass while the page is open', async () => {
    const { page } = browser
    // Deadlines a moment away, written as the desk stores them.
    await desk.db`
      update cases set next_at_risk_at = now() + interval '2 seconds', next_deadline_at = now() + interval '4 seconds',
                       first_response_at_risk_at = now() + interval '2 seconds', first_response_due_at = now() + interval '4 seconds'
      where id = ${ids.flips!}`
    await page.reload()
    expect(await row('flips').locator('.countdown').getAttribute('class')).toMatch(/\bok\b/)
    await expect.poll(() => row('flips').getAttribute('class'), { timeout: 3_000, interval: 100 }).toBe('at_risk')
    expect(await row('flips').locator('.countdown').getAttribute('class')).toMatch(/\bat_risk\b/)
    await expect.poll(() => row('flips').getAttribute('class'), { timeout: 3_000, interval: 100 }).toBe('breached')
    expect(await clockText('flips')).toMatch(/^breached 0m 0\ds ago$/)
  })

  it('filters with htmx: only the rows change, and the URL keeps the filter', async () => {
    const { page, record } = browser
    await page.evaluate(() => ((window as { __noReload?: boolean }).__noReload = true))
    // The page URL itself (hx-select picks the rows out of it), so the address bar holds a page.
    const rows = page.waitForResponse((r) => new URL(r.url()).pathname === '/' && r.request().headers()['hx-request'] === 'true')
    await page.getByLabel('Severity').selectOption('SEV-1')
    expect((await rows).status()).toBe(200)
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('severity') === 'SEV-1')
    await expect.poll(() => page.locator('table.queue tbody tr').count()).toBe(2)
    expect(await page.evaluate(() => (window as { __noReload?: boolean }).__noReload)).toBe(true)

    // The swapped-in rows tick like the first ones.
    const before = await clockText('atRisk')
    await expect.poll(() => clockText('atRisk'), { timeout: 2_000, interval: 100 }).not.toBe(before)

    expect(record.pageErrors).toEqual([])
    expect(record.consoleErrors).toEqual([])
    expect(record.dialogs).toEqual([])
    expect(record.foreignRequests).toEqual([])
  })

  it('saves screenshots of the queue at desktop and phone width', async () => {
    await browser.page.goto(`${desk.url}/`)
    await saveScreenshot(browser.page, 'queue-desktop')
    const phone = await recordedContext(browser.browser, { width: 390, height: 844, storageState: await browser.context.storageState() })
    try {
      await phone.page.goto(`${desk.url}/`)
      await expect.poll(() => phone.page.locator('table.queue tbody tr').count()).toBe(4)
      await saveScreenshot(phone.page, 'queue-phone')
      // Nothing wider than the phone's screen: no sideways scrolling.
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
      expect(phone.record.consoleErrors).toEqual([])
    } finally {
      await phone.context.close()
    }
  })
})
