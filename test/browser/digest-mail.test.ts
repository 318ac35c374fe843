import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db } from '../../src/db.ts'
import { previewDigest } from '../../src/digest/digest.ts'
import { testEnv } from '../support/app.ts'
import { openBrowser, saveScreenshot, type DeskBrowser } from '../support/browser.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase, minutes } from '../support/digest.ts'

// The digest is read on phones: its HTML must fit a phone's width without sideways scrolling,
// whatever customers put in their subjects, and run nothing.
describe('the digest email on a phone', () => {
  let db: Db
  let browser: DeskBrowser

  beforeAll(async () => {
    db = testDb()
    browser = await openBrowser({ width: 375, height: 740 })
  })
  afterAll(async () => {
    await browser?.close()
    await db.end()
  })

  it('fits 375 px, links every case, and keeps hostile subjects inert', async () => {
    const org = await seedOrg(db, { timezone: 'America/Chicago' })
    const owner = await seedUser(db, org.id, 'agent')
    await db`update app_users set name = 'Morgan Longname-Owner' where id = ${owner.id}`
    const now = Date.now()
    const breached = await arrangeCase(db, org.id, {
      subject: 'Our entire warehouse network has been unable to ship anything since Tuesday morning',
      severity: 'SEV-1',
      ownerId: owner.id,
      nextDeadlineAt: new Date(now - minutes(95)),
      nextAtRiskAt: new Date(now - minutes(100)),
    })
    const atRisk = await arrangeCase(db, org.id, {
      subject: 'https://very-long-domain-name.example.com/a/very/long/path/that/does/not/break/anywhere/at/all',
      severity: 'SEV-2',
      nextDeadlineAt: new Date(now + minutes(50)),
      nextAtRiskAt: new Date(now - minutes(10)),
    })
    const hostile = await arrangeCase(db, org.id, { subject: '<img src=x onerror=alert(1)><script>alert(2)</script>', status: 'new' })
    const { mail } = await previewDigest(db, testEnv({ PUBLIC_URL: 'https://desk.example.test' }), org.id)

    const { page, record } = browser
    await page.setContent(mail.html)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(width).toBeLessThanOrEqual(375)
    // Every case is linked, each from every section it is in (breached, at risk, unowned, red flags, missed updates).
    const hrefs = await page
      .locator('a[href^="https://desk.example.test/cases/"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')))
    expect(new Set(hrefs)).toEqual(new Set([breached, atRisk, hostile].map((c) => `https://desk.example.test/cases/${c.id}`)))
    expect(await page.locator('img, script').count()).toBe(0)
    expect(record.dialogs).toEqual([])
    await saveScreenshot(page, 'digest-phone')
  })
})
