import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

// At 375 px nothing may push the page sideways: long unbroken addresses and references, a German
// subject, wide admin tables. (Case and admin pages laid out with grids used to size their column
// to the longest address, 50-530 px wider than the phone.)
describe('pages at phone width with long and foreign data', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  const cases: string[] = []

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_phone'), openBrowser({ width: 375, height: 800 })])
    const notice = await desk.ingest(
      buildEml({
        from: 'BBB Great West + Pacific <complaints-do-not-reply-notifications@greatwestpacificbusinessbureau.example.org>',
        to: 'escalations@example.com',
        subject: 'BBB Complaint ID 22874013 - Northwind Outfitters - Rückerstattungsverweigerung nach Gewährleistungsanspruch',
        body: [
          'A consumer has filed a complaint with BBB regarding your business.',
          '',
          'CONSUMER INFORMATION',
          'Name: Gregory Hartley-Montgomery-Featherstonehaugh',
          'Email: gregory.hartley-montgomery.featherstonehaugh.1958@verylongmailprovider.example.com',
          '',
          `Tracking: https://www.bbb.example.org/complaints/respond/22874013/${'a1b2c3d4'.repeat(12)}`,
          'Please respond within 14 days.',
        ].join('\n'),
      }),
    )
    const german = await desk.ingest(
      buildEml({
        from: 'Jürgen Weißmüller-Schönberger <juergen.weissmueller-schoenberger@kundenbeispiel-gmbh.example.de>',
        to: 'escalations@example.com',
        subject: 'DRINGEND: Händlerportal seit 7 Uhr nicht nutzbar – Fehler 502 – Bestellnummer 2026-11-30-0000012345678901',
        body: `Sehr geehrte Damen und Herren,\n\nunser Händlerportal ist seit heute früh nicht erreichbar: Fehlermeldung ${'X'.repeat(120)}.\n\nMit freundlichen Grüßen`,
      }),
    )
    for (const outcome of [notice, german]) if (outcome.case) cases.push(outcome.case)
    await signIn(browser.page, desk.printedSignInLink())
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it('the queue, each case page and the admin pages fit 375 px', async () => {
    const { page, record } = browser
    expect(cases).toHaveLength(2)
    const caseLinks: string[] = []
    for (const label of cases) caseLinks.push((await page.locator('table.queue').getByRole('link', { name: label }).getAttribute('href'))!)
    const paths = ['/', ...caseLinks, '/admin/organization', '/admin/setup', '/admin/users', '/admin/quarantine', '/not-escalations']
    const overflow: Record<string, number> = {}
    for (const path of paths) {
      const response = await page.goto(`${desk.url}${path}`)
      expect({ path, status: response?.status() }).toEqual({ path, status: 200 })
      await page.waitForLoadState('networkidle')
      overflow[path] = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)
      await saveScreenshot(page, `phone${path.replace(/\W+/g, '-')}`)
    }
    expect(overflow).toEqual(Object.fromEntries(paths.map((p) => [p, 0])))
    expect(record.pageErrors).toEqual([])
  })
})
