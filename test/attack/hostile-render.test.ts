import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Frame, Page } from 'playwright-core'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import { issueCustomerLink } from '../../src/csat/links.ts'
import { withOrg } from '../../src/db.ts'
import {
  openBrowser,
  recordedContext,
  signIn,
  startDesk,
  type BrowserRecord,
  type DeskBrowser,
  type DeskServer,
} from '../support/browser.ts'

// Attack suite: hostile mail rendered in headless Chromium, payload families beyond
// test/browser/hostile-mail.test.ts (which covers script, event handlers, javascript: links,
// remote images, forms, frames, mXSS): CSS that fetches (fonts, cursors, image-set, masks,
// entity- and escape-obfuscated url()), SVG animation and <use>, preload/prefetch links,
// <base>, data: documents, formaction, obfuscated javascript: URLs, encoded-word subjects and
// display names that decode to markup, bidi overrides, and hostile text in an attached original.
// Every page that shows customer text is visited — queue, case, the framed HTML opened directly,
// the post-incident review, the approval mail in the dev mailbox, the approver's review page,
// and the customer's own rating and confirmation pages — and nothing may run, open a dialog or
// make a request to another origin.

const evil = 'http://evil.example'
const css = [
  `@font-face { font-family: x; src: url(${evil}/font.woff) } p { font-family: x }`,
  `body { cursor: url(${evil}/cursor.cur), auto }`,
  `ul { list-style-image: url(${evil}/bullet.png) }`,
  `div::before { content: url(${evil}/content.png) }`,
  `div { background-image: image-set("${evil}/set.png" 1x) }`,
  `div { -webkit-mask-image: url(${evil}/mask.png) }`,
  `div { background: url(\\68 ttp://evil.example/escaped.png) }`,
  `@import url("${evil}/import.css") screen;`,
  `div { behavior: url(${evil}/x.htc); -moz-binding: url(${evil}/x.xml#y); width: expression(alert(1)) }`,
].join('\n')
const htmlPart = `<!doctype html><html><head><style>${css}</style>
<link rel="preload" href="${evil}/preload.js" as="script"><link rel="prefetch" href="${evil}/prefetch">
<link rel="dns-prefetch" href="//evil.example"><link rel="icon" href="${evil}/favicon.ico">
<meta http-equiv="set-cookie" content="desk_session=stolen"><base href="//evil.example/">
</head><body onpageshow="window.__pwned='pageshow'">
<p style="background:url(&#x68;ttp://evil.example/entity.png)">Dear CEO, I will see you in court.</p>
<img src="//evil.example/protocol-relative.png"><img src="relative.png">
<input type="image" src="${evil}/input.png"><picture><source srcset="${evil}/source.png"><img src="x.png"></picture>
<video><track src="${evil}/track.vtt"></video><a href="${evil}/x" ping="${evil}/ping">ping</a>
<svg><use href="${evil}/sprite.svg#a"/><image href="${evil}/svg.png"/>
<animate onbegin="window.__pwned='onbegin'" attributeName="x" dur="1s"/>
<set attributeName="href" to="javascript:window.__pwned='set'"/></svg>
<details open ontoggle="window.__pwned='ontoggle'"><summary>s</summary></details>
<marquee onstart="window.__pwned='marquee'">m</marquee>
<form><button formaction="javascript:window.__pwned='formaction'">Go</button></form>
<iframe src="data:text/html,<script>parent.__pwned='dataframe'</script>"></iframe>
<object data="data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0nb2JqZWN0Jzwvc2NyaXB0Pg=="></object>
<embed src="javascript:window.__pwned='embed'">
<a href="jav&#x09;ascript:window.__pwned='tab'">tab</a><a href="&#106;avascript:window.__pwned='entity'">entity</a>
<a href=" javascript:window.__pwned='space'">space</a><a href="vbscript:msgbox(1)">vb</a>
<img src="x\` \`<script>window.__pwned='backtick'</script>\`>
<xmp><img src=x onerror="window.__pwned='xmp'"></xmp><noembed><img src=x onerror="window.__pwned='noembed'"></noembed>
<template><img src=x onerror="window.__pwned='template'"></template>
<div style="background-image:url('data:image/svg+xml;utf8,<svg xmlns=%22http://www.w3.org/2000/svg%22 onload=%22alert(1)%22/>')">svg data</div>
<math><maction actiontype="statusline" xlink:href="javascript:window.__pwned='maction'">m</maction></math>
</body></html>`

// Encoded words that decode to markup; a bidi override that flips what the name shows.
const b64 = (s: string) => Buffer.from(s).toString('base64')
const subject = `=?UTF-8?B?${b64(`Lawsuit <img src=x onerror="window.__pwned='subject'"><script>window.__pwned='subject2'</script>`)}?=`
const displayName = `=?UTF-8?B?${b64(`\u202Egnp.exe <svg onload="window.__pwned='name'">`)}?=`

function hostile(messageId: string): Uint8Array {
  return new TextEncoder().encode(
    [
      `From: ${displayName} <mallory@customer.test>`,
      'To: escalations@example.com',
      `Subject: ${subject}`,
      'Date: Sun, 22 Nov 2026 09:00:00 +0000',
      `Message-ID: <${messageId}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="outer"',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'My lawyer will file a lawsuit. <script>window.__pwned="text"</script> javascript:alert(1)',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      htmlPart,
      '--alt--',
      '--outer',
      `Content-Type: text/html; name="=?UTF-8?B?${b64('<img src=x onerror=alert(1)>.html')}?="`,
      `Content-Disposition: attachment; filename="=?UTF-8?B?${b64('<img src=x onerror=alert(1)>.html')}?="`,
      '',
      '<script>window.__pwned="attachment"</script>',
      '--outer--',
      '',
    ].join('\r\n'),
  )
}

/** A CEO forward with the hostile original attached: the customer (and their name) come from inside. */
function forwarded(messageId: string): Uint8Array {
  return new TextEncoder().encode(
    [
      'From: Alex Morgan <ceo@example.com>',
      'To: escalations@example.com',
      'Subject: Fwd: urgent, legal',
      'Date: Sun, 22 Nov 2026 09:05:00 +0000',
      `Message-ID: <fwd-${messageId}>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="f"',
      '',
      '--f',
      'Content-Type: text/plain',
      '',
      'Please handle today.',
      '--f',
      'Content-Type: message/rfc822',
      '',
      new TextDecoder().decode(hostile(messageId)),
      '--f--',
      '',
    ].join('\r\n'),
  )
}

describe('hostile mail in every page that shows it, in Chromium', () => {
  let desk: DeskServer
  let browser: DeskBrowser

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('attack_hostile'), openBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  // No dialog, no uncaught error, no request to another origin, and no CSP refusal (which would
  // mean a payload got as far as trying).
  const expectClean = (record: BrowserRecord) => {
    expect(record.dialogs).toEqual([])
    expect(record.pageErrors).toEqual([])
    expect(record.foreignRequests).toEqual([])
    expect(record.consoleErrors).toEqual([])
  }

  /** Opens a page, lets every payload try (errors, animations, toggles), and checks it and its frames. */
  async function visit(page: Page, url: string, expectText?: RegExp) {
    const res = await page.goto(url)
    expect({ url, status: res?.status() }).toEqual({ url, status: 200 })
    // Every closed one, by a stable index: opening one must not shift the others (a :not([open]) list would).
    for (const summary of await page.locator('details > summary').all()) {
      if (!(await summary.isVisible()) || (await summary.evaluate((s) => (s.parentElement as HTMLDetailsElement).open))) continue
      await summary.click({ timeout: 2000 }).catch(() => undefined)
    }
    await page.waitForTimeout(400)
    if (expectText) expect(await page.locator('body').innerText()).toMatch(expectText)
    const frames: Frame[] = page.frames()
    for (const frame of frames) {
      const pwned = await frame.evaluate(() => (window as { __pwned?: unknown }).__pwned).catch(() => undefined)
      expect({ url, frame: frame.url(), pwned }).toEqual({ url, frame: frame.url(), pwned: undefined })
      expect(new URL(frame.url()).hostname === 'localhost' || frame.url() === 'about:blank').toBe(true)
    }
    return page.locator('body').innerText()
  }

  it('runs nothing and fetches nothing from another origin, on any page', { timeout: 120_000 }, async () => {
    const { page, record } = browser
    const direct = await desk.ingest(hostile(`hostile-${Date.now()}@customer.test`))
    const forward = await desk.ingest(forwarded(`hostile-fwd-${Date.now()}@customer.test`))
    expect([direct.status, forward.status]).toEqual(['created', 'created'])
    await signIn(page, desk.printedSignInLink())

    // The queue shows the decoded subject as text.
    expect(await visit(page, `${desk.url}/`)).toContain("window.__pwned='subject'")
    const cases = await desk.db<{ id: string; number: number; customerName: string | null }[]>`
      select id, number, customer_name as "customerName" from cases order by number`
    expect(cases.length).toBeGreaterThanOrEqual(2)
    // The hostile display name reached the customer name of both cases (the forward's from inside).
    for (const c of cases) expect(c.customerName).toContain('<svg onload')

    for (const c of cases) {
      const text = await visit(page, `${desk.url}/cases/${c.id}`)
      expect(text).toContain('<svg onload') // shown, as text
      const [message] = await desk.db<{ id: string }[]>`select id from messages where case_id = ${c.id} and html_body is not null limit 1`
      if (message) await visit(page, `${desk.url}/cases/${c.id}/messages/${message.id}/html`)
      const review = await page.goto(`${desk.url}/cases/${c.id}/review`)
      if (review?.status() === 200) await visit(page, `${desk.url}/cases/${c.id}/review`)
    }

    // Ask for approval of the first case's draft (written by the server's job loop), then open
    // the approval mail in the dev mailbox and the approver's page from it.
    const first = cases[0]!
    await expect
      .poll(async () => (await desk.db`select count(*)::int as n from drafts where case_id = ${first.id}`)[0]!.n, { timeout: 20_000 })
      .toBeGreaterThan(0)
    await page.goto(`${desk.url}/cases/${first.id}`)
    await page.getByRole('button', { name: /Request approval/ }).click()
    await expect
      .poll(async () => (await desk.db`select count(*)::int as n from dev_mailbox where subject like 'Approval needed%'`)[0]!.n, {
        timeout: 10_000,
      })
      .toBeGreaterThan(0)
    const [mail] = await desk.db<
      { id: string; text: string }[]
    >`select id, text_body as text from dev_mailbox where subject like 'Approval needed%' order by created_at desc limit 1`
    expect(await visit(page, `${desk.url}/dev/mailbox`)).toContain('Approval needed')
    await visit(page, `${desk.url}/dev/mailbox/${mail!.id}`)
    const approveUrl = /(http:\/\/\S+\/approve\?token=\S+)/.exec(mail!.text)![1]!
    // The approver's own mail client: a context of its own, no session, watched the same way.
    const approver = await recordedContext(browser.browser)
    try {
      expect(await visit(approver.page, approveUrl)).toMatch(/Review the reply/)
      expectClean(approver.record)
    } finally {
      await approver.context.close()
    }

    // The customer's pages show the case subject to someone with no session at all.
    const key = await linkSigningKey(desk.db, undefined)
    const [org] = await desk.db<{ id: string }[]>`select org_id as id from cases where id = ${first.id}`
    const links = await withOrg(desk.db, org!.id, async (tx) => ({
      csat: await issueCustomerLink(tx, key, { orgId: org!.id, caseId: first.id, purpose: 'csat' }),
      confirm: await issueCustomerLink(tx, key, { orgId: org!.id, caseId: first.id, purpose: 'confirm_resolution' }),
    }))
    const customer = await recordedContext(browser.browser)
    try {
      expect(await visit(customer.page, `${desk.url}/csat?r=5&t=${links.csat.token}`)).toContain("window.__pwned='subject'")
      await visit(customer.page, `${desk.url}/confirm-resolution?t=${links.confirm.token}`)
      expectClean(customer.record)
    } finally {
      await customer.context.close()
    }
    expectClean(record)
  })
  // The payloads are live: outside the desk, the same markup fetches from the other origin and runs.
  it("has payloads that do fire in a page without the desk's defences", async () => {
    const control = await recordedContext(browser.browser)
    try {
      await control.page.setContent(htmlPart)
      await control.page.waitForTimeout(500)
      expect(await control.page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeDefined()
      expect(new Set(control.record.foreignRequests.map((u) => new URL(u).pathname)).size).toBeGreaterThanOrEqual(5)
    } finally {
      await control.context.close()
    }
  })
})
