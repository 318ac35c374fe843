import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildEml } from './support/db.ts'
import { freePort, runDesk, startServer } from './support/process.ts'

// The zero-configuration path: no DATABASE_URL, PGlite in a temporary data directory.
describe('embedded database (npm start with no configuration)', () => {
  const dirs: string[] = []
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }) })

  it('serves /healthz, keeps data across a restart, and lets the CLI in through the server', { timeout: 120_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'desk-embedded-'))
    dirs.push(home)
    // A nested, not yet existing directory: PGlite does not create parents itself.
    const env = { DATA_DIR: join(home, 'nested', '.data'), PORT: String(await freePort()) }

    const first = await startServer(env)
    try {
      expect(first.output()).toMatch(/demo organization/)
      const health = await fetch(`${first.url}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ status: 'ok', database: 'ok' })

      // The CLI attaches to the running server's database rather than opening the directory twice.
      const eml = buildEml({ subject: 'Kept across restarts' })
      const ingested = await runDesk(['ingest', '-', '--json'], env, eml)
      expect(ingested.stderr).toBe('')
      expect(JSON.parse(ingested.stdout)).toEqual({ status: 'created', case: 'ESC-1001' })
    } finally {
      await first.stop()
    }

    const second = await startServer(env)
    try {
      expect(second.output()).not.toMatch(/demo organization|Applied migrations/)
      // The queue needs a session: sign in with the link the server printed (DESK_DEMO is on).
      const link = /Sign in as admin@example\.com[^:]*: (http:\/\/\S+)/.exec(second.output())?.[1]
      expect(link).toBeTruthy()
      const token = new URL(link!).searchParams.get('token')!
      const signIn = await fetch(`${second.url}/sign-in/confirm`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: new URL(second.url).origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      })
      expect(signIn.status).toBe(303)
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!
      const page = await (await fetch(`${second.url}/`, { headers: { accept: 'text/html', cookie } })).text()
      expect(page).toContain('ESC-1001')
      expect(page).toContain('Kept across restarts')
    } finally {
      await second.stop()
    }
  })
})

describe('embedded database: one process opens the directory', () => {
  it('a CLI run while the server is starting waits and joins the server instead of opening the directory', { timeout: 120_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'desk-embedded-race-'))
    const env = { DATA_DIR: join(home, '.data'), PORT: String(await freePort()) }
    try {
      const starting = startServer(env)
      // Run the CLI once the server has claimed the directory, while PGlite is still opening.
      const holderFile = join(env.DATA_DIR, 'embedded.json')
      for (let i = 0; i < 200; i++) {
        // The file may be absent or half-written this instant; either way, look again.
        const text = await readFile(holderFile, 'utf8').catch(() => '')
        if (text.includes('"pid"')) break
        await new Promise((r) => setTimeout(r, 25))
      }
      const ingest = await runDesk(['ingest', '-', '--json'], env, buildEml({ subject: 'During start-up' }))
      const server = await starting
      try {
        expect(ingest.stderr).toBe('')
        expect(JSON.parse(ingest.stdout)).toMatchObject({ status: 'created' })
        // The server still holds the directory (its holder file survived the CLI's exit).
        const holder = JSON.parse(await readFile(join(env.DATA_DIR, 'embedded.json'), 'utf8'))
        expect(holder.pid).toBe(server.child.pid)
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      } finally {
        await server.stop()
      }
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })
})
