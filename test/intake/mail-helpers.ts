import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { orgContext } from '../../src/intake/org-context.ts'

/** shared/corpus sits beside the repository, here and in CI. */
export const corpusDir = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url))
export const fixturesDir = fileURLToPath(new URL('../fixtures/mail/', import.meta.url))

/**
 * The org most intake tests read mail for. Its own domain is desk.example, so the public corpora's
 * example.com/.net/.org senders are outsiders, as their authors meant them; its CEO, configured
 * with an example.com address, is recognised by the executives list alone.
 */
export const org = orgContext({ name: 'Example Inc', inboundAddresses: ['escalations@desk.example'], executives: ['ceo@example.com'] })

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

export function emlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.eml'))
    .map((e) => `${e.parentPath}/${e.name}`)
    .sort()
}

/** A real RFC 5322 message around a body, the way a mail client would send a forward. */
export function buildEml(opts: { from: string; subject: string; body: string; to?: string; headers?: string[] }): Uint8Array {
  const lines = [
    `From: ${opts.from}`,
    `To: ${opts.to ?? 'escalations@example.com'}`,
    `Subject: ${opts.subject}`,
    'Date: Mon, 19 Jan 2026 09:00:00 +0000',
    `Message-ID: <${Math.random().toString(36).slice(2)}@test.example>`,
    ...(opts.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    opts.body.replace(/\r?\n/g, '\r\n'),
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}
