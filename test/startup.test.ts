import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/db.ts'
import { dropDatabase, testDatabaseName, withDatabase } from './support/databases.ts'
import { testDatabaseUrl } from './support/db.ts'
import { freePort, repoRoot, type RunResult } from './support/process.ts'

// Start-up as an operator meets it: settings from .env, and a port in use, a database that
// refuses the connection or a migration that cannot run each said in one line with what to do,
// a non-zero exit and no stack trace unless DEBUG asks for one. Real processes, real entries.

/** Runs an entry script (src/start.mjs or src/desk.mjs) to its end, in `cwd`, with only `env`. */
function runEntry(script: string, args: string[], env: Record<string, string>, cwd = repoRoot, timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, script), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end()
  })
}

const server = (env: Record<string, string>) =>
  runEntry('src/start.mjs', [], { DESK_DEMO: '0', SCHEDULER_INTERVAL_SECONDS: '0', ENV_FILE: '/dev/null', ...env })
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m)
const oneLine = (text: string) => expect(text.trim().split('\n')).toHaveLength(1)

describe('start-up errors', () => {
  let busy: Server
  let busyPort: number
  const migrationDb = testDatabaseName('bad_migration')
  let migrationUrl: string
  beforeAll(async () => {
    busy = createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
    busyPort = (busy.address() as { port: number }).port
    migrationUrl = await withDatabase(migrationDb)
    // A database that already holds a table of the desk's: the first migration cannot run.
    const db = connect(migrationUrl, { max: 1 })
    await db`create table orgs (id integer)`
    await db.end()
  })
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve))
    await dropDatabase(migrationDb)
  })

  it('a port in use: one line naming the port and what to do, exit 1, no stack trace', async () => {
    const result = await server({ DATABASE_URL: testDatabaseUrl(), PORT: String(busyPort) })
    expect(result.code).toBe(1)
    oneLine(result.stderr)
    expect(result.stderr).toMatch(
      new RegExp(
        `^Escalation Desk cannot start: port ${busyPort} on 127\\.0\\.0\\.1 is already in use .*start with PORT set to a free port\\n$`,
      ),
    )
    expect(result.stdout).not.toMatch(/ready at/)
  })

  it('with DEBUG set, the same line comes with the stack trace', async () => {
    const result = await server({ DATABASE_URL: testDatabaseUrl(), PORT: String(busyPort), DEBUG: '1' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^Escalation Desk cannot start: port \d+ on 127\.0\.0\.1 is already in use/)
    expect(result.stderr).toMatch(/EADDRINUSE[\s\S]*^\s+at /m)
  })

  it('a database that refuses the connection: one line naming where and what to check', async () => {
    const port = await freePort()
    const result = await server({ DATABASE_URL: `postgres://desk:secret-password@127.0.0.1:${port}/desk`, PORT: String(await freePort()) })
    expect(result.code).toBe(1)
    oneLine(result.stderr)
    noStack(result.stderr)
    expect(result.stderr).toBe(
      `Escalation Desk cannot start: PostgreSQL at 127.0.0.1:${port} refuses connections: is it running, and are the host and port in DATABASE_URL right?\n`,
    )
    // The CLI says the same, as its own one line.
    const cli = await runEntry('src/desk.mjs', ['org', 'list'], {
      DATABASE_URL: `postgres://desk:secret-password@127.0.0.1:${port}/desk`,
      ENV_FILE: '/dev/null',
    })
    expect(cli.code).toBe(1)
    expect(cli.stderr).toBe(
      `desk org: PostgreSQL at 127.0.0.1:${port} refuses connections: is it running, and are the host and port in DATABASE_URL right?\n`,
    )
    expect(result.stderr + cli.stderr).not.toMatch(/secret-password/)
  })

  it('a migration that cannot run: one line naming the migration, the reason and what to do', async () => {
    const result = await server({ DATABASE_URL: migrationUrl, PORT: String(await freePort()) })
    expect(result.code).toBe(1)
    oneLine(result.stderr)
    noStack(result.stderr)
    expect(result.stderr).toMatch(
      /^Escalation Desk cannot start: migration 00001_foundation\.sql could not run: relation "orgs" already exists \(the database already holds objects of that name: use an empty database for the desk\)\n$/,
    )
    const cli = await runEntry('src/desk.mjs', ['migrate'], { DATABASE_URL: migrationUrl, ENV_FILE: '/dev/null' })
    expect(cli.code).toBe(1)
    expect(cli.stderr).toMatch(/^desk migrate: migration 00001_foundation\.sql could not run: relation "orgs" already exists/)
    oneLine(cli.stderr)
  })
})

describe('settings from .env', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'desk-dotenv-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const desk = (args: string[], env: Record<string, string> = {}) => runEntry('src/desk.mjs', args, env, dir)

  it('are read from .env in the working directory, checked like any other, and the environment wins', async () => {
    await writeFile(join(dir, '.env'), `# the desk's settings\nDATABASE_URL=${testDatabaseUrl()}\nDESK_DEMO=0\n`)
    const listed = await desk(['org', 'list', '--json'])
    expect(listed.stderr).toBe('')
    expect(listed.code).toBe(0)
    expect(Array.isArray(JSON.parse(listed.stdout))).toBe(true)

    await writeFile(join(dir, '.env'), `DATABASE_URL=${testDatabaseUrl()}\nDESK_DEMO=0\nPORT=eighty\n`)
    const bad = await desk(['org', 'list'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/PORT: expected a port number, got "eighty"/)
    expect((await desk(['org', 'list', '--json'], { PORT: '9000' })).code).toBe(0)
  })

  it('ENV_FILE names another file, which must exist', async () => {
    const file = join(dir, 'desk.env')
    await writeFile(file, `DATABASE_URL=${testDatabaseUrl()}\nDESK_DEMO=0\n`)
    await writeFile(join(dir, '.env'), 'PORT=eighty\n')
    expect((await desk(['org', 'list', '--json'], { ENV_FILE: file })).code).toBe(0)
    const missing = await desk(['org', 'list'], { ENV_FILE: join(dir, 'nope.env') })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe(
      `Escalation Desk cannot start: ENV_FILE names ${join(dir, 'nope.env')}, which does not exist (unset it to read .env)\n`,
    )
  })
})
