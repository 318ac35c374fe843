// Issue 18's reply path in Chromium against the real server: a customer copied a colleague and
// attached an invoice; the draft copies the colleague; someone adds the invoice and a file from
// their computer, the approver ticks the warnings and approves, and the dev mailbox holds the
// reply with its copy and both files. At desktop and phone width, nothing scrolls sideways.
import { randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'

const invoice = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

function complaint(): Uint8Array {
  return new TextEncoder().encode(
    [
      'From: =?utf-8?Q?Ingrid_Halvors=C3=B8n?= <ingrid.halvorsen@fjordlast.no>',
      'To: escalations@example.com',
      'Cc: "Lars Berg (Økonomi)" <lars.berg@fjordlast.no>',
      'Subject: =?utf-8?Q?Dobbel_belastning_=E2=80=93_faktura_2026-4471_=E2=80=93_vi_vurderer_=C3=A5_si_opp_avtalen?=',
      'Date: Tue, 01 Dec 2026 08:12:44 +0100',
      `Message-ID: <${randomBytes(8).toString('hex')}@EUR03.prod.outlook.com>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset="utf-8"',
      'Content-Transfer-Encoding: 8bit',
      '',
      'We were charged twice for invoice 2026-4471 (NOK 48 200). The invoice is attached; Lars in finance is copied.',
      '',
      '--b1',
      'Content-Type: application/pdf; name="Faktura 2026-4471 – Fjordlast AS.pdf"',
      "Content-Disposition: attachment; filename*=utf-8''Faktura%202026-4471%20%E2%80%93%20Fjordlast%20AS.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      invoice.toString('base64'),
      '--b1--',
      '',
    ].join('\r\n'),
  )
}

describe('a reply with a copy and files, approved in the browser', () => {
  let desk: DeskServer
  let browser: DeskBrowser

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_reply_files'), openBrowser({ width: 1366, height: 900 })])
    expect((await desk.ingest(complaint())).status).toBe('created')
    await signIn(browser.page, desk.printedSignInLink())
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  const noSidewaysScroll = () => browser.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)

  it('copies the colleague, carries the invoice and an upload, and sends them once approved', async () => {
    const { page } = browser
    const [row] = await desk.db<{ id: string }[]>`select id from cases order by created_at desc limit 1`
    await page.goto(`${desk.url}/cases/${row!.id}`)
    const draft = page.locator('#draft')
    await expect.poll(() => draft.locator('[data-cc]').first().innerText(), { timeout: 20_000 }).toBe('lars.berg@fjordlast.no')

    // Edit: keep Lars, tick the invoice, save.
    await draft.locator('summary', { hasText: 'Edit this draft' }).click()
    await draft.getByRole('checkbox', { name: /Faktura 2026-4471 – Fjordlast AS\.pdf/ }).check()
    await draft.getByRole('button', { name: 'Save as a new version' }).click()
    await expect.poll(() => draft.locator('[data-reply-files] li').count()).toBe(1)

    // A file from the computer, with a long non-Latin name.
    const dir = await mkdtemp(join(tmpdir(), 'desk-upload-'))
    const name = 'Кредитное_уведомление_K-2026-118_возврат_двойного_списания_NOK_48200.txt'
    await writeFile(join(dir, name), 'Kreditnota K-2026-118: NOK 48 200 returned.\n')
    await draft.locator('input[type=file][name=upload]').setInputFiles(join(dir, name))
    await draft.getByRole('button', { name: 'Attach', exact: true }).click()
    await expect.poll(() => draft.locator('[data-reply-files] li').count()).toBe(2)
    expect(await draft.innerText()).toContain(name)
    expect(await noSidewaysScroll()).toBe(true)
    await saveScreenshot(page, 'reply-files-desktop')

    await page.setViewportSize({ width: 390, height: 844 })
    await page.reload()
    expect(await noSidewaysScroll()).toBe(true)
    await saveScreenshot(page, 'reply-files-phone')
    await page.setViewportSize({ width: 1366, height: 900 })
    await page.reload()

    // The demo org's one admin wrote versions 2 and 3; the org lets the author approve at SEV-3
    // (four eyes hold at SEV-1/2), so the case is arranged at SEV-3 to let them approve here.
    await desk.db`update cases set severity = 'SEV-3' where id = ${row!.id}`
    await page.reload()
    const approval = page.locator('.approve-form')
    expect(await page.locator('#approval').innerText()).toContain('lars.berg@fjordlast.no')
    for (const box of await approval.getByRole('checkbox').all()) await box.check()
    await approval.getByRole('button', { name: /^Approve version \d+ and send$/ }).click()
    await expect
      .poll(
        async () =>
          (
            await desk.db<
              { n: number }[]
            >`select count(*)::int as n from dev_mailbox where 'ingrid.halvorsen@fjordlast.no' = any(to_addresses)`
          )[0]!.n,
        { timeout: 20_000 },
      )
      .toBe(1)
    const [mail] = await desk.db<{ cc: string[]; files: { filename: string }[] }[]>`
      select cc_addresses as cc, attachments as files from dev_mailbox where 'ingrid.halvorsen@fjordlast.no' = any(to_addresses)`
    expect(mail!.cc).toEqual(['lars.berg@fjordlast.no'])
    expect(mail!.files.map((f) => f.filename)).toEqual(['Faktura 2026-4471 – Fjordlast AS.pdf', name])
  })
})
