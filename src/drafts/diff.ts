// A small word diff for "what changed since the previous version": common prefix and suffix
// first (most edits are local), then a longest-common-subsequence table on what is left, bounded
// so a rewrite of a long draft costs at most a million cells (beyond that: removed + added).

export type DiffPart = { kind: 'same' | 'added' | 'removed'; text: string }

const maxCells = 1_000_000

/** Words keep their trailing whitespace, so joining the parts gives the text back exactly. */
export const tokenize = (text: string) => text.match(/\s+|\S+\s*/g) ?? []

export function diffWords(before: string, after: string): DiffPart[] {
  const a = tokenize(before)
  const b = tokenize(after)
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const parts: DiffPart[] = []
  push(parts, 'same', a.slice(0, start))
  const midA = a.slice(start, endA)
  const midB = b.slice(start, endB)
  if ((midA.length + 1) * (midB.length + 1) > maxCells) {
    push(parts, 'removed', midA)
    push(parts, 'added', midB)
  } else {
    for (const p of lcsDiff(midA, midB)) push(parts, p.kind, [p.text])
  }
  push(parts, 'same', a.slice(endA))
  return parts
}

function lcsDiff(a: string[], b: string[]): DiffPart[] {
  const n = a.length
  const m = b.length
  const width = m + 1
  // lengths[i][j] = LCS length of a[i..] and b[j..]
  const lengths = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] =
        a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!)
    }
  }
  const out: DiffPart[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', text: a[i++]! })
      j++
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      out.push({ kind: 'removed', text: a[i++]! })
    } else {
      out.push({ kind: 'added', text: b[j++]! })
    }
  }
  while (i < n) out.push({ kind: 'removed', text: a[i++]! })
  while (j < m) out.push({ kind: 'added', text: b[j++]! })
  return out
}

function push(parts: DiffPart[], kind: DiffPart['kind'], tokens: string[]) {
  if (!tokens.length) return
  const text = tokens.join('')
  const last = parts.at(-1)
  if (last && last.kind === kind) last.text += text
  else parts.push({ kind, text })
}

/** Parts of a version against the previous one: the subject and recipients too, as the approver reads them. */
export function diffDrafts(
  before: { to: string[]; subject: string; body: string },
  after: { to: string[]; subject: string; body: string },
) {
  return {
    to: diffWords(before.to.join(', '), after.to.join(', ')),
    subject: diffWords(before.subject, after.subject),
    body: diffWords(before.body, after.body),
    changed: before.body !== after.body || before.subject !== after.subject || before.to.join(',') !== after.to.join(','),
  }
}
