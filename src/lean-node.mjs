// `desk import` and `desk export` move a whole file between a CSV and the database, and wait on
// the database most of the time. V8's defaults size the heap for throughput on a machine with
// memory to spare: during a 50,000-row import it let the young generation grow to 134 MB (two
// 64 MB semi-spaces, each batch surviving its scavenges while the database writes it) and the old
// one fill with the promoted batches between collections, 401 MB in all from 137 MB at the start
// (issue 21, `npm run bench -- import`). These commands cap a semi-space at 8 MB and let the old
// generation grow by half its live size between full collections (V8's own heuristic lets it
// grow more): 191 MB through `desk import`, 150 MB in the bench, at the same rate.
// --optimize-for-size, V8's setting for small devices, kept 120–150 MB but cost about a tenth of
// the import's rate. The server and the other
// commands keep V8's defaults. Plain JavaScript: src/desk.mjs runs it before tsx is loaded;
// bench/run.ts gives its import and export benches the same flags.
import { spawn } from 'node:child_process'

export const leanCommands = new Set(['import', 'export'])
export const leanFlags = ['--max-semi-space-size=8', '--heap-growing-percent=50']

/** Whether this Node already runs with the flags (Node does not take them in NODE_OPTIONS). */
export function runsLean(execArgv = process.execArgv) {
  return leanFlags.every((flag) => execArgv.includes(flag))
}

/**
 * Runs `script` with the same arguments in a Node with leanFlags when `command` is one of
 * leanCommands and this Node lacks them, and resolves to its exit code (a signal that ended it
 * is raised again here); resolves to null when the command should run in this process. Ctrl-C
 * reaches both processes (the terminal signals its foreground group): this one waits for the
 * command to finish its own way; a SIGTERM or SIGHUP sent to this one is passed on.
 */
export function rerunLean(command, script, args) {
  if (!leanCommands.has(command) || runsLean()) return Promise.resolve(null)
  const child = spawn(process.execPath, [...leanFlags, ...process.execArgv, script, ...args], { stdio: 'inherit' })
  const pass = (signal) => () => child.kill(signal)
  const handlers = { SIGINT: () => {}, SIGTERM: pass('SIGTERM'), SIGHUP: pass('SIGHUP') }
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      for (const [name, handler] of Object.entries(handlers)) process.off(name, handler)
      if (signal) process.kill(process.pid, signal)
      resolve(code ?? 1)
    })
  })
}
