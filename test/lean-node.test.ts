import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { leanFlags, rerunLean, runsLean } from '../src/lean-node.mjs'
import { repoRoot } from './support/process.ts'

// src/lean-node.mjs: `desk import` and `desk export` run again in a Node that keeps its heap
// small; the run's exit code and output are the command's, and signals reach it.

type Run = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function run(args: string[], options: { env?: NodeJS.ProcessEnv; signalAfter?: { text: string; signal: NodeJS.Signals } } = {}) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
      if (options.signalAfter && stdout.includes(options.signalAfter.text)) child.kill(options.signalAfter.signal)
    })
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

describe('lean Node for the file commands', () => {
  let dir: string
  let runner: string
  let echo: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'desk-lean-'))
    // What src/desk.mjs does, with a script that reports how it was started.
    echo = join(dir, 'echo.mjs')
    await writeFile(
      echo,
      `process.on('SIGTERM', () => { console.log('TERM reached the command'); process.exit(7) })
       console.log(JSON.stringify({ execArgv: process.execArgv, args: process.argv.slice(2) }))
       if (process.argv[3] === 'wait') setTimeout(() => {}, 20000)
       else process.exitCode = 3`,
    )
    runner = join(dir, 'runner.mjs')
    await writeFile(
      runner,
      `import { rerunLean } from ${JSON.stringify(join(repoRoot, 'src/lean-node.mjs'))}
       const code = await rerunLean(process.argv[2], ${JSON.stringify(echo)}, process.argv.slice(2))
       if (code === null) console.log('in this process')
       else process.exit(code)`,
    )
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('import and export run again with the flags, the same arguments, and the command’s exit code', async () => {
    for (const command of ['import', 'export']) {
      const result = await run([runner, command, 'cases.csv', '--org', 'acme'])
      expect(result.code).toBe(3)
      const started = JSON.parse(result.stdout.trim())
      expect(started.execArgv).toEqual(expect.arrayContaining(leanFlags))
      expect(started.args).toEqual([command, 'cases.csv', '--org', 'acme'])
    }
  })

  it('other commands, and a Node already started with the flags, run where they are', async () => {
    expect((await run([runner, 'migrate'])).stdout.trim()).toBe('in this process')
    expect((await run([...leanFlags, runner, 'import'])).stdout.trim()).toBe('in this process')
    expect(runsLean(['--inspect'])).toBe(false)
    expect(runsLean(['--inspect', ...leanFlags])).toBe(true)
    expect(await rerunLean('migrate', echo, [])).toBeNull()
  })

  it('a SIGTERM to the desk command reaches the import it started, whose exit is the desk’s', async () => {
    const result = await run([runner, 'import', 'wait'], { signalAfter: { text: 'execArgv', signal: 'SIGTERM' } })
    expect(result.stdout).toContain('TERM reached the command')
    expect(result.code).toBe(7)
  })

  it('desk import, re-run, still says in one line what is missing, and exits 2', async () => {
    const result = await run(['src/desk.mjs', 'import'], { env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('desk import: give the CSV file to import: desk import cases.csv --org SLUG')
  })
})
