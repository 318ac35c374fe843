// Issue 18's path through the portal, in Chromium against the real server: a lawyer's letter
// arrives as a PDF; someone types the client's surname in the header search, opens the case,
// reads the letter's text there and downloads the PDF, byte for byte what was sent.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import PostalMime from 'postal-mime'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { evalRoot } from '../eval/intake-eval.ts'

const letterMail = `${evalRoot}main/legal/002-de-anwaltsschreiben-pdf-fwd-gf-outlook.eml`

describe('find a case by a word, read its PDF letter, download it', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let pdfSha = ''

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_find_download'), openBrowser({ width: 1366, height: 900 })])
    // Delivered to the demo org's inbound address (the eval set's org is another one).
    const raw = new Uint8Array(
      Buffer.from((await readFile(letterMail, 'latin1')).replace(/^To: .*$/m, 'To: escalations@example.com'), 'latin1'),
    )
    const pdf = (await PostalMime.parse(raw)).attachments.find((a) => a.mimeType === 'application/pdf')!
    pdfSha = createHash('sha256')
      .update(new Uint8Array(pdf.content as ArrayBuffer))
      .digest('hex')
    expect((await desk.ingest(raw)).status).toBe('created')
    await signIn(browser.page, desk.printedSignInLink())
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it("the client's surname in the header search finds the case; its page shows the letter's text; the PDF downloads whole", async () => {
    const { page } = browser
    await page.getByRole('searchbox', { name: 'Find a case' }).fill('Kötter')
    await Promise.all([page.waitForURL(/\/search\?q=/), page.keyboard.press('Enter')])
    const hit = page.locator('.search-hits li').first()
    await expect.poll(() => hit.innerText()).toMatch(/Kötter/)
    await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]{36}$/), hit.getByRole('link', { name: /^ESC-\d+$/ }).click()])

    // The letter's own words (they are in the PDF only, not in the cover mail).
    expect(await page.content()).toContain('Kirchweg 7, 82319 Starnberg')
    await saveScreenshot(page, 'find-and-download-case')

    const link = page
      .locator('a[download]')
      .filter({ hasText: /\.pdf$/ })
      .first()
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toBe('2026-10-06_Schreiben_Northwind_412-26_BR07.pdf')
    const bytes = await readFile((await download.path())!)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(pdfSha)
  })
})
