import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenAiStub } from '../drafts/openai-stub.ts'
import {
  INBOUND_SECRET,
  openBrowser,
  recordedContext,
  saveScreenshot,
  signIn,
  startDesk,
  type DeskBrowser,
  type DeskServer,
} from '../support/browser.ts'
import { freePort } from '../support/process.ts'
import { startResendServer } from '../support/resend-server.ts'

const run = promisify(execFile)

/** The verdict of every check on the page, by its id. */
async function verdicts(page: DeskBrowser['page']): Promise<Record<string, boolean>> {
  const items = await page
    .locator('li.check')
    .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-check'), li.getAttribute('data-ok')]))
  return Object.fromEntries(items.map(([id, ok]) => [id, ok === 'true']))
}

async function screenshots(browser: DeskBrowser, url: string, name: string) {
  await browser.page.setViewportSize({ width: 1366, height: 900 })
  await saveScreenshot(browser.page, `${name}-desktop`)
  // The same signed-in user on a phone.
  const phone = await recordedContext(browser.browser, { width: 390, height: 844, storageState: await browser.context.storageState() })
  await phone.page.goto(url)
  await saveScreenshot(phone.page, `${name}-phone`)
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  await phone.context.close()
  return overflow
}

describe('/admin/setup in the browser', () => {
  let browser: DeskBrowser
  beforeAll(async () => {
    browser = await openBrowser({ width: 1366, height: 900 })
  })
  afterAll(async () => {
    await browser?.close()
  })

  describe('on a bare configuration', () => {
    let desk: DeskServer
    beforeAll(async () => {
      // No INBOUND_SECRET, no PUBLIC_URL of its own, no Resend or OpenAI key: a fresh clone.
      const port = await freePort()
      desk = await startDesk('browser_setup_bare', { PORT: String(port), PUBLIC_URL: '', INBOUND_SECRET: '' })
      await signIn(browser.page, desk.printedSignInLink())
    })
    afterAll(async () => {
      // Leave the polling page first, or it would keep asking a server that is gone.
      await browser.page.goto('about:blank')
      await desk?.shutdown()
    })

    it('shows every check red except the database that serves the page, each with what to do', async () => {
      const { page, record } = browser
      await page.goto(`http://localhost:${desk.env.PORT}/admin/setup`)
      expect(await verdicts(page)).toEqual({
        database: true,
        public_url: false,
        sending: false,
        inbound: false,
        test_message: false,
        digest: false,
        approvers: false,
        drafting: false,
      })
      await expect.poll(() => page.locator('li.check.fail .fix').count()).toBe(7)
      expect(await page.locator('#setup-summary').innerText()).toContain('1 of 8 checks pass')
      const overflow = await screenshots(browser, `http://localhost:${desk.env.PORT}/admin/setup`, 'setup-bare')
      expect(overflow).toBeLessThanOrEqual(0)
      expect(record.consoleErrors).toEqual([])
      expect(record.foreignRequests).toEqual([])
    })
  })

  describe('with the stand-ins configured', () => {
    let desk: DeskServer
    let resend: Awaited<ReturnType<typeof startResendServer>>
    let openai: Awaited<ReturnType<typeof startOpenAiStub>>
    let dir: string
    beforeAll(async () => {
      ;[resend, openai, dir] = await Promise.all([startResendServer(), startOpenAiStub(), mkdtemp(join(tmpdir(), 'desk-setup-'))])
      resend.setDomains([{ name: 'example.com' }])
      const port = await freePort()
      desk = await startDesk('browser_setup_live', {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        RESEND_API_KEY: 're_browser_test',
        RESEND_BASE_URL: resend.baseUrl,
        MAIL_FROM: 'Demo Desk <desk@example.com>',
        OPENAI_API_KEY: 'sk-browser-test',
        OPENAI_BASE_URL: openai.baseUrl,
      })
      const [{ id: orgId }] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
      await desk.db`insert into app_users (org_id, email, name, role) values (${orgId}, 'dana@example.com', 'Dana Ruiz', 'approver')`
      await browser.context.clearCookies()
      await signIn(browser.page, desk.printedSignInLink())
    })
    afterAll(async () => {
      await desk?.shutdown()
      await resend?.close()
      await openai?.close()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('turns green, and the test message sent with the command on the page arrives on it', async () => {
      const { page, record } = browser
      await page.goto(`${desk.url}/admin/setup`)
      expect(await verdicts(page)).toEqual({
        database: true,
        public_url: true,
        sending: true,
        inbound: true,
        test_message: false,
        digest: true,
        approvers: true,
        drafting: true,
      })
      await expect.poll(() => page.locator('#setup-test-status').innerText()).toContain('Waiting for a test message')

      // Exactly what the page tells an operator to run, in a shell that has the secret.
      const command = await page.locator('#setup-test-command').innerText()
      const { stdout } = await run('bash', ['-c', command], { cwd: dir, env: { ...process.env, INBOUND_SECRET }, timeout: 20_000 })
      expect(JSON.parse(stdout)).toMatchObject({ status: 'created', case: expect.stringMatching(/^ESC-\d+$/) })

      // The page polls: the test case appears, then its draft, and its checklist row turns green.
      await expect
        .poll(() => page.locator('#setup-test-status').innerText(), { timeout: 15_000 })
        .toMatch(/Arrived: ESC-\d+, “Set-up test \d+: my order never arrived” through raw/)
      await expect.poll(() => page.locator('#check-test_message').getAttribute('data-ok'), { timeout: 10_000 }).toBe('true')
      await expect.poll(() => page.locator('#setup-test-status').innerText(), { timeout: 15_000 }).toContain('its reply draft is ready')
      const overflow = await screenshots(browser, `${desk.url}/admin/setup`, 'setup-live')
      expect(overflow).toBeLessThanOrEqual(0)

      // A fresh load: every check passes.
      await page.goto(`${desk.url}/admin/setup`)
      expect(Object.values(await verdicts(page)).every(Boolean)).toBe(true)
      expect(await page.locator('#setup-summary').innerText()).toContain('Everything going live needs is in place.')

      // Discarding it from the page closes it.
      await page.getByRole('button', { name: 'Discard' }).first().click()
      await expect.poll(() => page.locator('#setup-test').innerText()).toContain('Discarded ESC-')
      const [kase] = await desk.db<
        { status: string; setupTest: boolean }[]
      >`select status, setup_test as "setupTest" from cases order by created_at desc limit 1`
      expect(kase).toEqual({ status: 'closed', setupTest: true })
      expect(record.consoleErrors).toEqual([])
      expect(record.pageErrors).toEqual([])
      expect(record.foreignRequests).toEqual([])
    })
  })
})
