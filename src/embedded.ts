import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect as netConnect } from 'node:net'
import { join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

// PGlite keeps no lock on its directory, and two processes opening it at once corrupt it. The
// process that opens it writes this file; others connect through its socket instead.
const HOLDER_FILE = 'embedded.json'

export type Embedded = { url: string; close: () => Promise<void> }
type Holder = { pid: number; port: number }

const urlFor = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/postgres`

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

/** The live holder of the embedded database in dataDir, if a process still serves it. */
export async function findHolder(dataDir: string): Promise<Holder | null> {
  try {
    const holder = JSON.parse(await readFile(join(dataDir, HOLDER_FILE), 'utf8')) as Holder
    if (holder.pid !== process.pid && pidAlive(holder.pid) && (await portAnswers(holder.port))) return holder
  } catch {
    // No file, or a stale one: nobody serves the database.
  }
  return null
}

/**
 * Opens the embedded database in dataDir and serves it on a loopback port, so the same
 * postgres.js code talks to it as to a real server. Use max: 1 on the client (DESIGN.md).
 */
export async function openEmbedded(dataDir: string): Promise<Embedded> {
  const dir = resolve(dataDir)
  const holder = await findHolder(dir)
  if (holder) {
    throw new Error(`the embedded database in ${dir} is already open in process ${holder.pid}; stop that process or set DATABASE_URL`)
  }
  await mkdir(join(dir, 'pg'), { recursive: true })
  const db = await PGlite.create({ dataDir: join(dir, 'pg') })
  // Several sockets so the CLI can reach the server's database while the server's pool holds one.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 })
  await server.start()
  const port = Number(/:(\d+)$/.exec(server.getServerConn())?.[1])
  await writeFile(join(dir, HOLDER_FILE), JSON.stringify({ pid: process.pid, port } satisfies Holder))
  return {
    url: urlFor(port),
    close: async () => {
      await server.stop()
      await db.close()
      await rm(join(dir, HOLDER_FILE), { force: true })
    },
  }
}

/** Connects to the server's embedded database when it runs, else opens it in this process. */
export async function attachEmbedded(dataDir: string): Promise<Embedded> {
  const holder = await findHolder(resolve(dataDir))
  if (holder) return { url: urlFor(holder.port), close: async () => {} }
  return openEmbedded(dataDir)
}
