import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

export type RunResult = { code: number | null; stdout: string; stderr: string }

/**
 * Runs the real `desk` command with the given environment (nothing inherited but PATH/HOME; and
 * no settings file: a developer's .env in the checkout must not reach the tests).
 */
export function runDesk(args: string[], env: Record<string, string>, input?: Uint8Array): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/desk.mjs', ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENV_FILE: '/dev/null', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? undefined)
  })
}

export type Server = { child: ChildProcess; url: string; output: () => string; stop: () => Promise<void> }

/** Starts `npm start`'s entry and resolves once it prints that it is ready. */
export function startServer(env: Record<string, string>, timeoutMs = 30_000): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    })
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    const onData = (d: Buffer) => {
      output += d
      const match = /ready at (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done()
              child.once('exit', () => done())
              child.kill('SIGTERM')
            }),
        })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (!/ready at/.test(output)) reject(new Error(`server exited with ${code}:\n${output}`))
    })
  })
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
  })
}
