import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { StaticAsset } from './http/app-env.ts'

const require = createRequire(import.meta.url)
const js = 'text/javascript; charset=utf-8'

/** The browser files the desk serves, read once at start (Node only; the Worker bundles them). */
export async function loadStaticAssets(): Promise<Record<string, StaticAsset>> {
  const [htmx, csp, desk] = await Promise.all([
    readFile(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
    readFile(require.resolve('htmx.org/dist/ext/hx-csp.min.js'), 'utf8'),
    readFile(new URL('../views/static/desk.js', import.meta.url), 'utf8'),
  ])
  return { 'htmx.min.js': { body: htmx, type: js }, 'hx-csp.min.js': { body: csp, type: js }, 'desk.js': { body: desk, type: js } }
}
