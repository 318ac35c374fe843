import { createRequire } from 'node:module'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  openBrowser,
  recordedContext,
  saveScreenshot,
  screenshotDir,
  signIn,
  startDesk,
  type DeskBrowser,
  type DeskServer,
} from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

// Every page of the portal, at a laptop's width and a phone's, with the data that breaks layouts:
// a subject that is one 600-character word, Arabic, Chinese and Greek names, a 300-character
// address. Each page must not scroll sideways, log no console error and have no serious or
// critical axe-core violation (WCAG 2.2 A and AA rules). Screenshots and a JSON report of every
// figure are written to test-artifacts/ (git-ignored).

const axeSource: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source
const widths = [1366, 390] as const
const longWord = `Refund${'Ü'.repeat(20)}${'x'.repeat(560)}END`
const longAddress = `${'Flat 12, Building 7, '.repeat(13)}Sheikh Zayed Road, Dubai`.slice(0, 300)

type PageResult = {
  path: string
  width: number
  status: number
  overflow: number
  /** Serious and critical axe violations: none allowed. */
  serious: string[]
  /** Moderate and minor ones, reported in the JSON. */
  other: string[]
  consoleErrors: string[]
}

async function axeViolations(page: Page): Promise<{ serious: string[]; other: string[] }> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (a script tag would be refused).
  await page.evaluate(axeSource)
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: AxeViolation[] }> } }).axe
    type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }))
  })
  const line = (v: (typeof result)[number]) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(' | ')})`
  const serious = (v: (typeof result)[number]) => v.impact === 'serious' || v.impact === 'critical'
  return { serious: result.filter(serious).map(line), other: result.filter((v) => !serious(v)).map(line) }
}

describe('every page at 1366 and 390 px with hostile-length and non-Latin data', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  const results: PageResult[] = []
  const casePaths: string[] = []
  let approvalPath = ''
  let signInConfirmPath = ''
  let adminId = ''
  let webhookPath = ''

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_every_page'), openBrowser({ width: 1366, height: 900 })])
    const mails = [
      buildEml({
        from: 'فاطمة الزهراء بنت عبد الرحمن <fatima.alzahraa@example.ae>',
        subject: longWord,
        body: `مرحبا، لم أستلم طلبي.\n\nMy address: ${longAddress}\n\nReference ${'0123456789'.repeat(12)}`,
      }),
      buildEml({
        from: '王小明 <wang.xiaoming@example.cn>',
        subject: `投诉：订单没有送达，客服不回复 ${'很长的主题'.repeat(30)}`,
        body: `您好，我的订单三周没有送达。\n\n地址：${longAddress}`,
      }),
      buildEml({
        from: 'Αικατερίνη Παπαδοπούλου-Χατζηγεωργίου <aikaterini.papadopoulou-chatzigeorgiou@very-long-subdomain-name-for-a-greek-provider.example.gr>',
        subject: 'Καταγγελία: η επιστροφή χρημάτων δεν έγινε ποτέ, θα απευθυνθώ στον δικηγόρο μου',
        body: 'Θα απευθυνθώ στον δικηγόρο μου και στον Τύπο αν δεν λάβω απάντηση μέσα σε 7 ημέρες.',
      }),
    ]
    const labels: string[] = []
    for (const mail of mails) labels.push((await desk.ingest(mail)).case!)
    const [org] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
    adminId = (await desk.db<{ id: string }[]>`select id from app_users where email = 'admin@example.com'`)[0]!.id
    await desk.db`insert into app_users (org_id, email, name, role) values
      (${org!.id}, 'layla@example.com', 'ليلى حسن', 'approver'),
      (${org!.id}, 'li.na@example.com', '李娜', 'agent'),
      (${org!.id}, ${`${'n'.repeat(60)}@${'very-long-department-name'.repeat(8)}.example.com`}, 'Νικόλαος Κωνσταντινόπουλος', 'agent')`
    // An API token with a name as long as one can be, unbroken, for /admin/api-tokens.
    await desk.db`insert into api_tokens (org_id, name, scope, token_hash, prefix, last4, created_by)
      values (${org!.id}, ${`Συγχρονισμός-${'α'.repeat(87)}`}, 'write', ${'a'.repeat(64)}, 'desk_AbCdEf', 'wxyz', ${adminId})`

    // A webhook endpoint with an unbroken URL as long as one can be, and a failed delivery in its log.
    const [endpoint] = await desk.db<{ id: string }[]>`
      insert into webhook_endpoints (org_id, url, description, event_types, secret_sealed, created_by)
      values (${org!.id}, ${`https://hooks.${'very-long-subdomain'.repeat(8)}.example.com/${'p'.repeat(1800)}`},
              ${`Συγχρονισμός-${'α'.repeat(150)}`}, array['case.created', 'case.assigned', 'case.at_risk', 'case.breached',
              'approval.requested', 'reply.sent', 'case.resolved', 'case.closed'], 'v1:AAAA:AAAA', ${adminId})
      returning id`
    const [delivery] = await desk.db<{ id: string }[]>`
      insert into webhook_deliveries (org_id, endpoint_id, event_type, payload, status, attempts, last_status_code, last_error)
      values (${org!.id}, ${endpoint!.id}, 'case.created', '{}', 'failed', 1, 500, ${`the endpoint answered 500 ${'x'.repeat(200)}`})
      returning id`
    await desk.db`insert into webhook_attempts (org_id, delivery_id, status_code, duration_ms, error)
      values (${org!.id}, ${delivery!.id}, 500, 42, 'the endpoint answered 500')`
    webhookPath = `/admin/webhooks/${endpoint!.id}`

    // A sign-in link, read from the dev mailbox: its page is one of the portal's.
    const signedOut = await recordedContext(browser.browser, { width: 1366 })
    await signedOut.page.goto(`${desk.url}/sign-in`)
    await signedOut.page.getByLabel(/email/i).fill('admin@example.com')
    await signedOut.page.getByRole('button').first().click()
    await signedOut.page.waitForLoadState('networkidle')
    await signedOut.context.close()
    await signIn(browser.page, desk.printedSignInLink())
    const linkIn = async (pattern: RegExp) => {
      for (let i = 0; i < 100; i++) {
        const mails = await desk.db<{ text: string }[]>`select text_body as text from dev_mailbox order by created_at desc`
        const hit = mails.map((m) => pattern.exec(m.text)?.[1]).find(Boolean)
        if (hit) return new URL(hit).pathname + new URL(hit).search
        await new Promise((r) => setTimeout(r, 200))
      }
      throw new Error(`no mail with ${pattern}`)
    }
    signInConfirmPath = await linkIn(/(http:\/\/\S+\/sign-in\/confirm\?\S+)/)

    const { page } = browser
    for (const label of labels) {
      casePaths.push((await page.locator('table.queue').getByRole('link', { name: label }).getAttribute('href'))!)
    }
    // The Greek case gets its template draft, then an approval request: the approval link page.
    const opened = await page.goto(`${desk.url}${casePaths[2]}`)
    if (opened?.status() !== 200)
      throw new Error(`case page answered ${opened?.status()}: ${(await page.content()).slice(0, 2000)}\n${desk.output().slice(-3000)}`)
    for (let i = 0; i < 40 && !/Version 1/.test(await page.locator('#draft').innerText()); i++) {
      await new Promise((r) => setTimeout(r, 500))
      await page.reload()
    }
    await page.getByRole('button', { name: /Request approval/ }).click()
    await page.waitForLoadState('networkidle')
    approvalPath = await linkIn(/(http:\/\/\S+\/approve\?token=\S+)/)
  }, 90_000)
  afterAll(async () => {
    await mkdir(join(screenshotDir, '..'), { recursive: true })
    await writeFile(join(screenshotDir, '..', 'every-page.json'), JSON.stringify(results, null, 2))
    await browser?.close()
    await desk?.shutdown()
  })

  // Stable names, whatever the case ids: every-390-case-greek.png, every-1366-admin-users.png…
  const caseNames = ['arabic', 'chinese', 'greek']
  const screenshotName = (path: string) => {
    const [pathname, query] = path.split('?')
    const named = casePaths.reduce((p, c, i) => p.replace(c, `/case-${caseNames[i]}`), pathname!).replace(adminId, 'admin')
    const suffix = query?.startsWith('view=')
      ? `-${query.slice(5)}`
      : query?.startsWith('q=')
        ? `-q${query.length}`
        : query
          ? '-filtered'
          : ''
    return `${named.replace(/\W+/g, '-').replace(/-$/, '') || '-queue'}${suffix}`
  }

  it('fits the width, logs no error and has no serious axe violation, on every page', { timeout: 300_000 }, async () => {
    const state = await browser.context.storageState()
    const signedInPaths = [
      '/',
      '/?view=unowned',
      ...casePaths,
      `${casePaths[0]}/review`,
      `${casePaths[0]}/internal-update`,
      '/cases/new',
      '/cases',
      '/cases?status=open&severity=SEV-2',
      `/search?q=${encodeURIComponent('Παπαδοπούλου')}`,
      '/search?q=zzzz-nothing',
      '/metrics',
      '/metrics/patterns',
      `/metrics/owners/${adminId}`,
      '/metrics/owners/unowned',
      '/reports/severity',
      '/admin/organization',
      '/admin/users',
      '/admin/settings',
      '/admin/drafting',
      '/admin/templates',
      '/admin/templates/acknowledgment',
      '/admin/ticket-counts',
      '/admin/digest',
      '/admin/reviews',
      '/admin/webhooks',
      webhookPath,
      '/admin/helpdesk',
      '/admin/api-tokens',
      '/admin/sso',
      '/sessions',
      '/admin/second-factor',
      '/second-factor',
      '/admin/chat',
      '/admin/stakeholders',
      '/admin/setup',
      '/admin/quarantine',
      '/admin/privacy',
      '/import',
      '/not-escalations',
      '/dev/mailbox',
    ]
    const linkPaths = ['/sign-in', '/sign-in/sso', signInConfirmPath, approvalPath]
    for (const width of widths) {
      for (const [paths, storageState] of [
        [signedInPaths, state],
        [linkPaths, undefined],
      ] as const) {
        const { context, page, record } = await recordedContext(browser.browser, { width, height: 900, storageState })
        for (const path of paths) {
          const errorsBefore = record.consoleErrors.length + record.pageErrors.length
          const response = await page.goto(`${desk.url}${path}`)
          await page.waitForLoadState('networkidle')
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
          const { serious, other } = await axeViolations(page)
          const name = `every-${width}${screenshotName(path)}`
          await saveScreenshot(page, name)
          results.push({
            path: path.replace(/token=[^&]+/, 'token=…'),
            width,
            status: response?.status() ?? 0,
            overflow,
            serious,
            other,
            consoleErrors: [...record.consoleErrors, ...record.pageErrors].slice(errorsBefore),
          })
        }
        await context.close()
      }
    }
    const problems = results.filter((r) => r.status !== 200 || r.overflow > 0 || r.serious.length || r.consoleErrors.length)
    expect(problems).toEqual([])
  })
})
