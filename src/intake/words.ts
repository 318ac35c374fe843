// Builds the multilingual word lists of the readers into patterns. JavaScript's \b knows only
// ASCII letters, so "oparzenia" or "brännskada" would never end a word; these patterns use
// Unicode letter boundaries instead. Alternatives are plain words or short regex fragments with
// bounded quantifiers only (never a nested or unbounded repetition), so a pattern costs time
// linear in the text it reads.

const START = String.raw`(?<![\p{L}\p{N}])`
const END = String.raw`(?![\p{L}\p{N}])`

/** Any of the alternatives as a whole word (or phrase), case-insensitive, Unicode-aware. */
export function anyWord(alternatives: readonly string[], flags = 'iu'): RegExp {
  return new RegExp(`${START}(?:${alternatives.join('|')})${END}`, flags)
}

/** Any of the alternatives at a word start, the word free to go on ("oparzen" → "oparzenia"). */
export function anyStem(alternatives: readonly string[], flags = 'iu'): RegExp {
  return new RegExp(`${START}(?:${alternatives.join('|')})`, flags)
}

/** A line that starts with one of the labels, then ":" and the value (captured). */
export function labelLine(labels: readonly string[], value = '(.*)'): RegExp {
  return new RegExp(`^(?:${labels.join('|')})\\s?[:：]\\s*${value}$`, 'iu')
}

/**
 * The text with each letter's accents taken off, one UTF-16 unit for one ("Δικηγόρος" →
 * "Δικηγορος", "Výzva" → "Vyzva"), so a match's index and length in the folded text are the
 * same in the original. Greek writes the tonos and Slavic languages their háčeks inconsistently
 * (capitals drop them), so readers that fold both the text and their words match either way.
 */
export function fold(text: string): string {
  return text.replace(/[\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u1E00-\u1FFF]/g, (c) => {
    const base = c.normalize('NFD')[0]!
    return base.length === 1 && base.charCodeAt(0) < 0xd800 ? base : c
  })
}

/** anyWord over folded words: match it against fold(text). */
export const anyFoldedWord = (alternatives: readonly string[], flags = 'iu'): RegExp => anyWord(alternatives.map(fold), flags)
/** anyStem over folded words: match it against fold(text). */
export const anyFoldedStem = (alternatives: readonly string[], flags = 'iu'): RegExp => anyStem(alternatives.map(fold), flags)

/**
 * A folded pattern's first match in fold(text), as the text itself writes it: fold keeps every
 * index, so the original's characters at the match's place are what a reason should quote.
 */
export function matchFolded(re: RegExp, text: string, folded = fold(text)): RegExpMatchArray | null {
  const m = folded.match(re)
  return m ? (Object.assign([text.slice(m.index!, m.index! + m[0].length)], { index: m.index }) as RegExpMatchArray) : null
}
