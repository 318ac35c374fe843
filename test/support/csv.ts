import type { CsvSource } from '../../src/imports/types.ts'

/** A CSV file held in memory, read as the import reads a stream: one chunk per reading. */
export const csvSource =
  (text: string): CsvSource =>
  () =>
    (async function* () {
      yield Buffer.from(text)
    })()
