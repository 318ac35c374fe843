// `npm run bench [-- name…]`: runs the benchmarks, each in its own Node process so one bench's
// memory never shows in another's RSS figures. Result lines (`name: value unit`) go to stdout;
// progress and diagnostics to stderr. Exit code 1 when any bench failed, 2 on an unknown name.
import { spawn } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { leanFlags } from '../src/lean-node.mjs'
import { repoRoot } from './support.ts'

/**
 * Bench name → the file that runs it; `ingest` and `rss` share one server run. `lean`: in a Node
 * with the flags `desk import` and `desk export` run with (src/lean-node.mjs), since those benches
 * call the commands' functions in their own process.
 */
const benches: { names: string[]; file: string; lean?: boolean }[] = [
  { names: ['ingest', 'rss'], file: 'ingest.ts' },
  { names: ['dedupe'], file: 'dedupe.ts' },
  { names: ['draft'], file: 'draft.ts' },
  { names: ['queue'], file: 'queue.ts' },
  { names: ['search'], file: 'search.ts' },
  { names: ['import'], file: 'import.ts', lean: true },
  { names: ['export'], file: 'export.ts', lean: true },
  { names: ['metrics'], file: 'metrics.ts' },
  { names: ['digest'], file: 'digest.ts' },
  { names: ['startup'], file: 'startup.ts' },
  { names: ['inbound-memory'], file: 'inbound-memory.ts' },
]
const known = benches.flatMap((b) => b.names)

const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !known.includes(name))
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; choose from ${known.join(', ')}`)
  process.exit(2)
}
const selected = asked.length ? asked : known

function runFile(file: string, args: string[], lean = false): Promise<number> {
  return new Promise((resolve) => {
    const flags = lean ? leanFlags : []
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', join(repoRoot, 'bench', file), ...args], {
      cwd: repoRoot,
      stdio: 'inherit',
    })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

const cpu = cpus()
console.error(
  `# ${cpu.length} cores (${cpu[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}`,
)
const started = performance.now()
let failed = 0
for (const bench of benches) {
  const names = bench.names.filter((name) => selected.includes(name))
  if (names.length === 0) continue
  console.error(`# ${names.join(' + ')}`)
  const t0 = performance.now()
  const code = await runFile(bench.file, names, bench.lean)
  console.error(
    `# ${names.join(' + ')}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  )
  if (code !== 0) failed++
}
console.error(`# all done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
process.exit(failed ? 1 : 0)
