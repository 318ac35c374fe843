#!/usr/bin/env node
// Run by `npm install` / `npm ci` (package.json "postinstall"). Fixes a crash in postgres.js 3.4.9
// that takes the whole process down when PostgreSQL restarts under load (porsager/postgres#1066,
// #1154, #1208; unfixed upstream when this was written). Found by test/fault/db-restart.test.ts.
//
// When a connection closes in the middle of a transaction, sql.begin() still sends ROLLBACK on
// it. closed() has already set `socket = null`, the small write is deferred to a setImmediate,
// and `socket.write` on null throws there, where no caller can catch it: an uncaught TypeError.
// closed() also cancels a pending deferred write without forgetting it, so the next connection
// on that slot never flushes its startup message (a 30 s connect timeout, every time).
//
// The fix, in each of postgres.js's three builds (ESM, CommonJS, Workers):
//  - execute() refuses a query on a connection with no socket, as it does for a terminated one
//    (the query is rejected CONNECTION_CLOSED, which the desk answers with 503);
//  - closed() and terminate() drop the pending write along with cancelling it;
//  - nextWrite() never writes to a missing socket, and settles the queries instead.
// Idempotent; a postgres.js whose code has changed is left alone with a warning.
import { readFileSync, writeFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../node_modules/postgres/', import.meta.url))
const marker = '/* desk: null-socket guard */'

const edits = [
  [
    `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))`,
    `    if (terminated)
      return queryError(q, Errors.connection('CONNECTION_DESTROYED', options))

    ${marker}
    if (!socket)
      return queryError(q, Errors.connection('CONNECTION_CLOSED', options))`,
  ],
  [
    `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    `  function nextWrite(fn) {
    if (!socket) {
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)`,
  ],
  [
    `    clearImmediate(nextWriteTimer)
    if (socket) {`,
    `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    if (socket) {`,
  ],
  [
    `    clearImmediate(nextWriteTimer)
    socket.removeListener('data', data)`,
    `    clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    socket.removeListener('data', data)`,
  ],
]

let patched = 0
for (const build of ['src', 'cjs/src', 'cf/src']) {
  const file = `${root}${build}/connection.js`
  if (!existsSync(file)) continue
  const source = readFileSync(file, 'utf8')
  if (source.includes(marker)) continue
  const missing = edits.filter(([from]) => source.split(from).length !== 2)
  if (missing.length) {
    console.warn(`patch-postgres: ${build}/connection.js has changed upstream; not patched. Check porsager/postgres#1208 is fixed, then remove this script.`)
    continue
  }
  writeFileSync(file, edits.reduce((text, [from, to]) => text.replace(from, to), source))
  patched++
}
if (patched) console.log(`patch-postgres: guarded postgres.js against writes to a closed socket (${patched} builds)`)
