import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { envSchema, parseEnv } from '../src/env.ts'
import { repoRoot } from './support/process.ts'

describe('settings', () => {
  it('starts with no settings at all', () => {
    const result = parseEnv({})
    expect(result).toMatchObject({
      ok: true,
      env: { PORT: 8787, HOST: '127.0.0.1', DATA_DIR: '.data', DESK_DEMO: true, PUBLIC_URL: 'http://localhost:8787' },
    })
  })

  it('DESK_DEMO is on for the embedded database and off with DATABASE_URL, unless set', () => {
    const demo = (source: Record<string, string>) => (parseEnv(source) as { env: { DESK_DEMO: boolean } }).env.DESK_DEMO
    const url = 'postgres://desk:secret@db.example.com:5432/desk'
    expect(demo({})).toBe(true)
    expect(demo({ DATABASE_URL: url })).toBe(false)
    expect(demo({ DATABASE_URL: url, DESK_DEMO: '1' })).toBe(true)
    expect(demo({ DATABASE_URL: url, DESK_DEMO: 'yes' })).toBe(true)
    expect(demo({ DESK_DEMO: '0' })).toBe(false)
    expect(demo({ DATABASE_URL: url, DESK_DEMO: '' })).toBe(false) // empty means unset
  })

  it('names each bad variable and what it expects, one line each', () => {
    const result = parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', DESK_DEMO: 'maybe', INBOUND_SECRET: 'short' })
    expect(result.ok).toBe(false)
    const problems = (result as { problems: string[] }).problems
    expect(problems).toHaveLength(4)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: expected a port number, got "eighty"$/),
        expect.stringMatching(/^DATABASE_URL: expected a postgres:\/\/ URL, got "mysql:\/\/x"$/),
        expect.stringMatching(/^DESK_DEMO: expected 1 or 0, got "maybe"$/),
        expect.stringMatching(/^INBOUND_SECRET: expected a secret of at least 16 characters/),
      ]),
    )
  })

  it('.env.example, the README table and the schema list the same settings in the same order', async () => {
    const example = await readFile(`${repoRoot}.env.example`, 'utf8')
    const readme = await readFile(`${repoRoot}README.md`, 'utf8')
    const fromExample = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1])
    const table = readme.slice(readme.indexOf('## Configuration'))
    const fromReadme = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1])
    expect(fromExample).toEqual(Object.keys(envSchema.shape))
    expect(fromReadme).toEqual(fromExample)
  })
})
