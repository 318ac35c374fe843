import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'

// The TOTP enrolment's QR code in a real browser at 390 px: drawn whole inside the screen, big
// enough to scan (at least 4 px a module), with its quiet zone, the page not pushed sideways,
// and no CSP violation or script error.
describe('the TOTP QR code on a phone', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_totp_qr'), openBrowser({ width: 390, height: 844 })])
    await signIn(browser.page, desk.printedSignInLink())
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it('is drawn whole within 390 px, at least 4 px a module, with the key and link below it', async () => {
    const { page, record } = browser
    await page.goto(`${desk.url}/second-factor`)
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click()
    await page.waitForLoadState('networkidle')
    const qr = page.getByRole('img', { name: /QR code of the authenticator link/ })
    await expect.poll(() => qr.isVisible()).toBe(true)
    const box = (await qr.boundingBox())!
    const modules = await qr.evaluate((svg) => Number(svg.getAttribute('viewBox')!.split(' ')[2]))
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(390)
    expect(box.width).toBe(box.height)
    expect(box.width / modules).toBeGreaterThanOrEqual(4)
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBe(0)
    const key = (await page.locator('#totp-secret').boundingBox())!
    expect(key.y).toBeGreaterThan(box.y + box.height)
    await saveScreenshot(page, 'totp-qr-390')
    expect(record.consoleErrors).toEqual([])
    expect(record.pageErrors).toEqual([])
  })
})
