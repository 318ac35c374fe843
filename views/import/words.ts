import type { ImportKind } from '../../src/imports/types.ts'
import { caseLabel } from '../../src/cases/terms.ts'

/** "ESC-1001 … ESC-1040": the numbers an import gave its cases. */
export const numberRange = (n: { first: number; last: number }) =>
  n.first === n.last ? caseLabel(n.first) : `${caseLabel(n.first)} … ${caseLabel(n.last)}`

export const kindWords = { cases: ['case', 'cases'], accounts: ['account', 'accounts'] } as const
export const rows = (n: number) => `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`
export const plural = (n: number, kind: ImportKind) => `${n.toLocaleString('en-US')} ${kindWords[kind][n === 1 ? 0 : 1]}`
