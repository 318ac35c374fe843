// `inbound-memory`: the real server (`node --import tsx src/index.ts`) on its own database takes
// 50 concurrent unsigned 20 MB posts to `POST /inbound/raw`, each with a well-formed signature that
// is wrong (what anyone can send), and its resident memory is sampled from /proc throughout. Not a
// timed bench: the figure is the server's peak RSS, which must stay under 300 MB.
// `node --import tsx bench/inbound-memory.ts` runs it alone.
import { request } from 'node:http'
import { freePort } from './ports.ts'
import { isMain, mb, memoryOf, note, result, startServer, withBenchDatabase } from './support.ts'

const POSTS = 50
const BODY_BYTES = 20 * 1024 * 1024
const SECRET = 'bench-inbound-secret-0123456789abcdef'
const CEILING_MB = 300

/** One upload of `total` bytes from a shared chunk (the client holds 64 KB, not 20 MB). */
function upload(url: string, total: number): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/inbound/raw`,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'message/rfc822',
          'content-length': String(total),
          'x-desk-timestamp': String(Math.floor(Date.now() / 1000)),
          // The first version's form, without a query: valid for every version of the server.
          'x-desk-signature': `sha256=${'0'.repeat(64)}`,
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', () => resolve('closed'))
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    let sent = 0
    const pump = () => {
      while (sent < total && !req.destroyed) {
        const size = Math.min(chunk.length, total - sent)
        sent += size
        if (!req.write(chunk.subarray(0, size))) return void req.once('drain', pump)
      }
      if (!req.destroyed) req.end()
    }
    pump()
  })
}

export async function runInboundMemoryBench(): Promise<void> {
  await withBenchDatabase('inbound_memory', async ({ url }) => {
    const port = await freePort()
    const server = await startServer({ DATABASE_URL: url, INBOUND_SECRET: SECRET, DESK_DEMO: '0', HOST: '127.0.0.1', PORT: String(port) })
    try {
      const pid = server.child.pid!
      const idle = await memoryOf(pid)
      let peak = idle.rss
      const sampler = setInterval(() => {
        void memoryOf(pid).then(
          (m) => (peak = Math.max(peak, m.rss)),
          () => {},
        )
      }, 20)
      const t0 = performance.now()
      const answers = await Promise.all(Array.from({ length: POSTS }, () => upload(server.url, BODY_BYTES)))
      const seconds = (performance.now() - t0) / 1000
      clearInterval(sampler)
      const after = await memoryOf(pid)
      // VmHWM catches a peak between two samples.
      peak = Math.max(peak, after.rss, after.hwm)

      const counts = new Map<string, number>()
      for (const a of answers) counts.set(String(a), (counts.get(String(a)) ?? 0) + 1)
      note(
        `${POSTS} unsigned ${mb(BODY_BYTES)} MB posts in ${seconds.toFixed(1)} s: ${[...counts].map(([k, v]) => `${v} × ${k}`).join(', ')}`,
      )
      note(`server RSS idle ${mb(idle.rss).toFixed(0)} MB, after ${mb(after.rss).toFixed(0)} MB, VmHWM ${mb(after.hwm).toFixed(0)} MB`)
      result('inbound-memory', mb(peak), 'MB')
      if (answers.some((a) => a === 200)) {
        note('an unsigned post was accepted: the figures above are not a clean run')
        process.exitCode = 1
      }
      if (mb(peak) >= CEILING_MB) {
        note(`peak RSS ${mb(peak).toFixed(0)} MB is over the ${CEILING_MB} MB ceiling`)
        process.exitCode = 1
      }
    } finally {
      await server.stop()
    }
  })
}

if (isMain(import.meta.url)) await runInboundMemoryBench()
