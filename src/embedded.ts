import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises'
import { connect as netConnect } from 'node:net'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { servePGlite } from './embedded-socket.ts'

// PGlite keeps no lock on its directory, and two processes opening it at once corrupt it. The
// process that opens it claims this file first (exclusive create), then records its port there;
// every other process connects through that socket instead.
const HOLDER_FILE = 'embedded.json'
const START_WAIT_MS = 30_000

export type Embedded = { url: string; close: () => Promise<void> }
type Holder = { pid: number; port: number | null }

const urlFor = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = netConnect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); done(true) })
    socket.once('error', () => done(false))
    socket.setTimeout(1000, () => { socket.destroy(); done(false) })
  })
}

async function readHolder(dir: string): Promise<Holder | null> {
  try {
    return JSON.parse(await readFile(join(dir, HOLDER_FILE), 'utf8')) as Holder
  } catch {
    return null // no file, or one half-written this instant
  }
}

/**
 * The live holder of the embedded database in dataDir, if another process serves it. A holder
 * still starting (no port yet) is waited for, so a CLI run during `npm start` joins the server
 * rather than opening the directory a second time.
 */
export async function findHolder(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const dir = resolve(dataDir)
  const deadline = Date.now() + START_WAIT_MS
  for (;;) {
    const holder = await readHolder(dir)
    if (!holder || holder.pid === process.pid || !pidAlive(holder.pid)) return null
    if (holder.port !== null && (await portAnswers(holder.port))) return { pid: holder.pid, port: holder.port }
    if (Date.now() > deadline) throw new Error(`process ${holder.pid} holds the embedded database in ${dir} but does not answer; stop it or set DATABASE_URL`)
    await sleep(200)
  }
}

/**
 * Claims the directory: exactly one process wins, even when several start at the same moment.
 * A live holder is waited for a little (a `desk` command run during `npm start` finishes fast).
 */
async function claim(dir: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs
  for (;;) {
    try {
      const file = await open(join(dir, HOLDER_FILE), 'wx')
      await file.writeFile(JSON.stringify({ pid: process.pid, port: null } satisfies Holder))
      await file.close()
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = await readHolder(dir)
      if (holder && holder.pid !== process.pid && pidAlive(holder.pid)) {
        if (Date.now() > deadline) {
          throw new Error(`the embedded database in ${dir} is already open in process ${holder.pid}; stop that process or set DATABASE_URL`)
        }
        await sleep(200)
      } else if (holder || Date.now() > deadline) {
        await rm(join(dir, HOLDER_FILE), { force: true }) // left by a process that died
      } else {
        await sleep(50) // created this instant and not yet written
      }
    }
  }
}

/**
 * Opens the embedded database in dataDir and serves it on a loopback port, so the same
 * postgres.js code talks to it as to a real server. Use max: 1 on the client (DESIGN.md).
 */
export async function openEmbedded(dataDir: string, options: { waitMs?: number } = {}): Promise<Embedded> {
  const dir = resolve(dataDir)
  await mkdir(join(dir, 'pg'), { recursive: true }) // PGlite does not create parent directories
  await claim(dir, options.waitMs ?? 15_000)
  const release = async () => {
    const holder = await readHolder(dir)
    if (holder?.pid === process.pid) await rm(join(dir, HOLDER_FILE), { force: true })
  }
  try {
    const db = await PGlite.create({ dataDir: join(dir, 'pg') })
    // Any number of sockets (the server's pool, a `desk` command), serialised safely: embedded-socket.ts.
    const server = await servePGlite(db, { host: '127.0.0.1', port: 0 })
    const port = server.port
    await writeFile(join(dir, HOLDER_FILE), JSON.stringify({ pid: process.pid, port } satisfies Holder))
    return {
      url: urlFor(port),
      close: async () => {
        await server.stop()
        await db.close()
        await release()
      },
    }
  } catch (error) {
    await release()
    throw error
  }
}

/** Connects to the server's embedded database when it runs (or is starting), else opens it here. */
export async function attachEmbedded(dataDir: string): Promise<Embedded> {
  const holder = await findHolder(dataDir)
  if (holder) return { url: urlFor(holder.port), close: async () => {} }
  return openEmbedded(dataDir)
}
