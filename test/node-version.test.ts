import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './support/process.ts'

type Run = { code: number | null; stderr: string; stdout: string }

/** Runs a script of ours on this Node made to report another version (what the check reads). */
function runAs(version: string, script: string, args: string[] = []): Promise<Run> {
  const pretend = `data:text/javascript,Object.defineProperty(process.versions,'node',{value:${JSON.stringify(version)}})`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', pretend, script, ...args], {
      cwd: repoRoot,
      // A DATA_DIR that must never be created: an old Node stops before anything runs.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: join(repoRoot, 'never-created') },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('Node.js version check', () => {
  it('is what npm install, npm start and the desk command run first', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'))
    expect(pkg.engines.node).toBe('>=22')
    expect(pkg.scripts.preinstall).toBe('node src/check-node.mjs')
    expect(pkg.scripts.start).toBe('node src/start.mjs')
    expect(pkg.bin.desk).toBe('src/desk.mjs')
    for (const entry of ['src/start.mjs', 'src/desk.mjs']) {
      // The first import, before tsx: on an old Node tsx itself may fail to load.
      const source = await readFile(join(repoRoot, entry), 'utf8')
      expect(source.match(/^import .*$/m)?.[0]).toBe("import './check-node.mjs'")
    }
  })

  it.each(['src/check-node.mjs', 'src/start.mjs', 'src/desk.mjs'])(
    '%s on Node 20 prints one line saying how to get Node 24, and exits 1',
    async (script) => {
      const run = await runAs('20.20.2', script, script.endsWith('desk.mjs') ? ['migrate'] : [])
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      const lines = run.stderr.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/needs Node\.js 22 or newer \(24 recommended\), not 20\.20\.2: nvm install 24.*volta install node@24/)
    },
  )

  it('lets Node 22 and newer through', async () => {
    for (const version of ['22.0.0', '24.21.0', '26.1.0']) {
      expect(await runAs(version, 'src/check-node.mjs')).toEqual({ code: 0, stdout: '', stderr: '' })
    }
  })
})
