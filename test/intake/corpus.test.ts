import { relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { defaultLimits } from '../../src/intake/parse.ts'
import { corpusDir, emlFilesUnder, org, readBytes } from './mail-helpers.ts'

type Outcome = { file: string; ok: boolean; reason?: string; ms: number; source?: string; severity?: string }

async function analyzeAll(): Promise<Outcome[]> {
  const out: Outcome[] = []
  for (const path of emlFilesUnder(corpusDir)) {
    const started = performance.now()
    const result = await analyzeMessage(readBytes(path), org)
    const ms = performance.now() - started
    const file = relative(corpusDir, path)
    out.push(
      result.ok
        ? { file, ok: true, ms, source: result.summary.source, severity: result.summary.severity }
        : { file, ok: false, ms, reason: result.reason },
    )
  }
  return out
}

const outcomes = await analyzeAll()
const ok = outcomes.filter((o) => o.ok)
console.info(`corpus: ${ok.length} of ${outcomes.length} messages analysed ok`)
for (const o of outcomes.filter((o) => !o.ok)) console.info(`corpus: not ok ${o.file}: ${o.reason}`)

describe('the whole test corpus', () => {
  it('reads every message in the corpus', () => {
    expect(outcomes.length).toBe(221)
  })

  it('gives each message a result, or a one-line reason a person can read', () => {
    for (const o of outcomes.filter((o) => !o.ok)) {
      expect(o.reason, o.file).toMatch(/^[^\n]{10,200}$/)
    }
  })

  it('analyses every ordinary, forwarded and reply message', () => {
    const failed = outcomes.filter((o) => !o.ok && !o.file.startsWith('mime-edge/'))
    expect(failed).toEqual([])
    expect(ok.length).toBeGreaterThanOrEqual(219)
  })

  it('refuses the endlessly nested enclosure by its part count, not by hanging', () => {
    const endless = outcomes.find((o) => o.file === 'mime-edge/flanker/enclosed-endless.eml')!
    expect(endless.reason).toMatch(/MIME parts, over the 500 part limit/)
  })

  it('stays within the parse time bound for every message', () => {
    for (const o of outcomes) expect(o.ms, o.file).toBeLessThan(defaultLimits.parseTimeoutMs)
  })

  it('does not escalate ordinary mail: plain and reply messages are direct and SEV-3 or SEV-4', () => {
    const ordinary = ok.filter((o) => o.file.startsWith('plain/') || o.file.startsWith('replies/'))
    const escalated = ordinary.filter((o) => o.source !== 'direct' || o.severity === 'SEV-1' || o.severity === 'SEV-2')
    for (const o of escalated) console.info(`corpus: escalated ${o.file}: ${o.source} ${o.severity}`)
    expect(ordinary.length).toBeGreaterThan(90)
    expect(escalated.length / ordinary.length).toBeLessThanOrEqual(0.05)
  })

  it('does not escalate the malformed-MIME collection either', () => {
    const edge = ok.filter((o) => o.file.startsWith('mime-edge/'))
    const escalated = edge.filter((o) => o.source !== 'direct' || o.severity === 'SEV-1')
    expect(escalated).toEqual([])
  })
})
