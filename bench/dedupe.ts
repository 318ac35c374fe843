// `dedupe`: 1,000 distinct messages, each delivered 5 times at once (as a relay that retries on a
// timeout, or two MX hosts, would) across 2 server processes on one database. Each copy has its
// own Received line, so only the Message-ID says they are one message. Exactly 1,000 cases must
// come out, every delivery answered 200: the 4,000 others `duplicate`.
import { failedCount, INBOUND_SECRET, loadAverage, postRaw, syntheticEscalation } from './inbound-client.ts'
import { freePort } from './ports.ts'
import { isMain, note, percentile, result, startServer, withBenchDatabase, type Server } from './support.ts'

const MESSAGES = 1_000
const COPIES = 5
const PROCESSES = 2
/** Messages in flight at once (each with its 5 copies): 40 concurrent deliveries. */
const IN_FLIGHT = 8

export async function runDedupeBench(): Promise<void> {
  await withBenchDatabase('dedupe', async ({ url, db }) => {
    const servers: Server[] = []
    try {
      for (let n = 0; n < PROCESSES; n++) {
        const env = { DATABASE_URL: url, INBOUND_SECRET, DESK_DEMO: '1', HOST: '127.0.0.1', PORT: String(await freePort()) }
        servers.push(await startServer(env))
      }
      const outcomes = new Map<string, number>()
      const latencies: number[] = []
      const casesOfMessage = new Map<number, Set<string>>()
      let next = 0
      const sender = async () => {
        for (let n = next++; n < MESSAGES; n = next++) {
          // Copy k of message n goes to server (n + k) mod 2: every message reaches both.
          const answers = await Promise.all(
            Array.from({ length: COPIES }, (_, k) => postRaw(servers[(n + k) % PROCESSES]!.url, syntheticEscalation(n, k))),
          )
          for (const a of answers) {
            outcomes.set(a.outcome, (outcomes.get(a.outcome) ?? 0) + 1)
            latencies.push(a.ms)
            if (a.case) casesOfMessage.set(n, (casesOfMessage.get(n) ?? new Set()).add(a.case))
          }
        }
      }
      const t0 = performance.now()
      await Promise.all(Array.from({ length: IN_FLIGHT }, sender))
      const seconds = (performance.now() - t0) / 1000
      const load = await loadAverage()

      const [{ cases }]: [{ cases: number }] = await db`select count(*)::int as cases from cases`
      const [{ messages }]: [{ messages: number }] = await db`select count(*)::int as messages from messages where direction = 'inbound'`
      // Every copy of a message must name the same case: one answer naming another is a split.
      const split = [...casesOfMessage.values()].filter((s) => s.size > 1).length
      const errors = failedCount(outcomes)
      result('dedupe', cases, 'cases')
      result('dedupe.messages_stored', messages, 'msg')
      result('dedupe.deliveries', MESSAGES * COPIES, 'msg')
      result('dedupe.errors', errors, 'msg')
      result('dedupe.split_answers', split, 'msg')
      for (const [outcome, count] of [...outcomes].sort()) result(`dedupe.outcome.${outcome}`, count, 'msg')
      result('dedupe.rate', (MESSAGES * COPIES) / seconds, 'msg/s')
      result('dedupe.p50', percentile(latencies, 50), 'ms')
      result('dedupe.p99', percentile(latencies, 99), 'ms')
      result('dedupe.load', load, 'load')
      if (cases !== MESSAGES || errors > 0 || split > 0) {
        note(`expected ${MESSAGES} cases and no errors: got ${cases} cases, ${errors} errors, ${split} split`)
        process.exitCode = 1
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  })
}

if (isMain(import.meta.url)) await runDedupeBench()
