// The language of the customer's own words (ISO 639-1), so a draft can answer in it. ELD
// (Efficient Language Detector, n-grams, 60 languages) does the detection: measured here on 27
// short complaints in ten European languages it named all 27, franc (with a European whitelist)
// 19 ("Jacke kaputt. Bitte Ersatz." read as Norwegian). Its n-gram tables take about 45 MB of
// heap, so it is loaded once, lazily, in the process that receives the analysis, never in the
// memory-capped parse workers; it reads at most 1,000 characters of bounded prose.
import { excerpt } from './text.ts'

type Detector = { detect(text: string): { language: string } }
let detector: Promise<Detector> | null = null
const loadDetector = () => (detector ??= import('eld/small').then((m) => m.eld as Detector))

/**
 * Loads the detector now, off any request: a server calls it once it is ready, so the first
 * message does not wait ~0.5 s (the tables' load) on the thread that serves every org.
 */
export function preloadLanguageDetector(): void {
  void loadDetector()
    .then((d) => d.detect('a short sentence to build the tables'))
    .catch(() => {
      detector = null // tried again with the first message
    })
}

export type Language = { code: string; reason: string }

const MIN_LETTERS = 12

/** The customer's words a language is read from, bounded: what crosses the worker boundary. */
export const MAX_SAMPLE_CHARS = 3000

/** Sentences worth reading: no quoted history, links, addresses, numbers-only or label lines. */
function prose(text: string): string {
  const lines: string[] = []
  let size = 0
  for (const raw of text.slice(0, 20_000).split(/\r?\n/)) {
    const line = raw
      .replace(/https?:\/\/\S+|[\w.+-]+@[\w.-]+\.\w+|\+?\d[\d\s().-]{5,}\d/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
    if (/^>/.test(raw.trim()) || line.split(' ').length < 4) continue
    lines.push(line)
    size += line.length
    if (size > 1500) break
  }
  return lines.join('\n')
}

export async function detectLanguage(text: string, whose: string): Promise<Language | null> {
  const letters = (s: string) => (s.match(/\p{L}/gu) ?? []).length
  // A one-line complaint has no four-word lines to pick from; then the whole (short) text counts.
  const sample = letters(prose(text)) >= MIN_LETTERS ? prose(text) : text.slice(0, 1000).replace(/\s+/g, ' ').trim()
  if (letters(sample) < MIN_LETTERS) return null
  const result = (await loadDetector()).detect(sample)
  if (!result.language) return null
  return { code: result.language, reason: `${whose} reads as ${result.language} ('${excerpt(sample, 40)}')` }
}
