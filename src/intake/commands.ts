import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { describeUnusableInput, ingestMessage } from './intake.ts'

async function readInput(path: string): Promise<Uint8Array> {
  if (path === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return new Uint8Array(Buffer.concat(chunks))
  }
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`${path}: no such file`)
    if (code === 'EISDIR') throw new UsageError(`${path}: is a directory, expected an .eml file`)
    throw new UsageError(`${path}: cannot read it (${code ?? (error as Error).message})`)
  }
}

export const ingestCommand: Command = {
  name: 'ingest',
  usage: 'ingest <file.eml|-> [--org SLUG] [--json]   turn one raw email into a case',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { org: { type: 'string', default: 'demo' }, json: { type: 'boolean', default: false } },
    })
    const [path] = positionals
    if (!path || positionals.length > 1) throw new UsageError('ingest takes one file (or - for standard input): desk ingest message.eml')
    const raw = await readInput(path)
    const problem = describeUnusableInput(raw)
    if (problem) throw new UsageError(`${path === '-' ? 'standard input' : path}: ${problem}`)

    const outcome = await withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      return ingestMessage(db, { orgId: org.id, raw, provider: 'cli' })
    })
    if (values.json) {
      const { rawId: _rawId, ...contract } = outcome
      console.log(JSON.stringify(contract))
    } else {
      console.log(outcome.status === 'quarantined' ? `quarantined: ${outcome.reason}` : `${outcome.status} ${outcome.case}`)
    }
  },
}
