import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { connect, type Db } from '../../src/db.ts'
import { dropDatabase, testDatabaseName, withDatabase } from './databases.ts'
import { signRaw } from './inbound.ts'
import { freePort, repoRoot, startServer, type Server } from './process.ts'

/**
 * Debian's chromium (`.ci/run` installs the package when it is missing). Never a browser
 * downloaded by Playwright: playwright-core only drives the one the machine has.
 */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'

export const screenshotDir = join(repoRoot, 'test-artifacts', 'screenshots')

const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const localHosts = new Set(['localhost', '127.0.0.1', '[::1]'])

/** True for URLs the desk itself serves (or that never touch the network: data:, about:, blob:). */
export function isLocal(url: string): boolean {
  const parsed = new URL(url)
  if (parsed.protocol === 'data:' || parsed.protocol === 'about:' || parsed.protocol === 'blob:') return true
  return localHosts.has(parsed.hostname)
}

/**
 * What the browser did that a test may want to forbid: console errors, uncaught exceptions,
 * dialogs (alert/confirm/prompt, dismissed at once) and every request to another origin
 * (aborted by a context-level route, so nothing leaves the machine even if a payload fires).
 */
export type BrowserRecord = {
  consoleErrors: string[]
  pageErrors: string[]
  dialogs: string[]
  foreignRequests: string[]
  requests: string[]
}

export type DeskBrowser = {
  browser: Browser
  context: BrowserContext
  page: Page
  record: BrowserRecord
  close: () => Promise<void>
}

export type ContextOptions = { width?: number; height?: number; storageState?: BrowserContextOptions['storageState'] }

export type RecordedContext = { context: BrowserContext; page: Page; record: BrowserRecord }

export async function openBrowser(options: ContextOptions = {}): Promise<DeskBrowser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: install Debian's chromium package (.ci/run does) or set CHROMIUM_PATH.`)
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 20_000 })
  try {
    const { context, page, record } = await recordedContext(browser, options)
    return {
      browser,
      context,
      page,
      record,
      close: async () => {
        await context.close().catch(() => undefined)
        await browser.close().catch(() => undefined)
      },
    }
  } catch (error) {
    await browser.close().catch(() => undefined)
    throw error
  }
}

/** A fresh context (own cookies) whose pages and frames are all watched; see BrowserRecord. */
export async function recordedContext(browser: Browser, options: ContextOptions = {}): Promise<RecordedContext> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    // Another context's cookies (context.storageState()): the same signed-in user on a phone.
    storageState: options.storageState,
  })
  context.setDefaultTimeout(10_000)
  const record: BrowserRecord = { consoleErrors: [], pageErrors: [], dialogs: [], foreignRequests: [], requests: [] }
  // Context-level routing sees every request of every page, frame and worker of the context.
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (isLocal(url)) return route.continue()
    record.foreignRequests.push(url)
    return route.abort('blockedbyclient')
  })
  context.on('request', (request) => {
    const url = request.url()
    record.requests.push(url)
    if (!isLocal(url) && !record.foreignRequests.includes(url)) record.foreignRequests.push(url)
  })
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') record.consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => record.pageErrors.push(error.message))
    page.on('dialog', (dialog) => {
      record.dialogs.push(`${dialog.type()}: ${dialog.message()}`)
      void dialog.dismiss().catch(() => undefined)
    })
  }
  context.on('page', watch)
  const page = await context.newPage()
  return { context, page, record }
}

/** A full-page PNG under test-artifacts/screenshots/ (git-ignored); returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true })
  const path = join(screenshotDir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

export const INBOUND_SECRET = 'browser-test-inbound-secret-0123456789'

/**
 * The real server (`npm start`'s entry) on a free port against a fresh database of its own,
 * with the demo org (admin@example.com, escalations@example.com) and the dev mailbox.
 */
export type DeskServer = Server & {
  env: Record<string, string>
  /** Owner connection to the server's database, for arranging clocks. */
  db: Db
  /** POST /inbound/raw, signed like a relay would. */
  ingest: (raw: Uint8Array) => Promise<{ status: string; case: string | null }>
  /** The single-use sign-in link the server printed at start (DESK_DEMO). */
  printedSignInLink: () => string
  shutdown: () => Promise<void>
}

export async function startDesk(purpose: string, extraEnv: Record<string, string> = {}): Promise<DeskServer> {
  const name = testDatabaseName(purpose)
  const databaseUrl = await withDatabase(name)
  const port = await freePort()
  const env = {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    DESK_DEMO: '1',
    INBOUND_SECRET,
    ...extraEnv,
  }
  let server: Server
  try {
    server = await startServer(env)
  } catch (error) {
    await dropDatabase(name)
    throw error
  }
  const db = connect(databaseUrl, { max: 2 })
  return {
    ...server,
    url: env.PUBLIC_URL,
    env,
    db,
    async ingest(raw) {
      const response = await fetch(`${env.PUBLIC_URL}/inbound/raw`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', ...signRaw(INBOUND_SECRET, raw) },
        body: raw as Uint8Array<ArrayBuffer>,
      })
      if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${await response.text()}`)
      return response.json() as Promise<{ status: string; case: string | null }>
    },
    printedSignInLink() {
      const link = /Sign in as admin@example\.com[^:]*: (http:\/\/\S+)/.exec(server.output())?.[1]
      if (!link) throw new Error(`the server printed no sign-in link:\n${server.output()}`)
      return link
    },
    async shutdown() {
      await db.end().catch(() => undefined)
      await server.stop()
      await dropDatabase(name)
    },
  }
}

/** Signs the browser in the way a person does: open the link, press the button, see the queue. */
export async function signIn(page: Page, link: string): Promise<void> {
  await page.goto(link)
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Continue and sign in' }).click()])
}
