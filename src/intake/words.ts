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
