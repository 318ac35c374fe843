// The browser files, imported as text: the bundler of each serverless entry inlines them (Wrangler's
// Text rule for Workers, src/vercel-build.mjs for Vercel), so no file is read at run time.
import htmx from 'htmx.org/dist/htmx.min.js'
import hxCsp from 'htmx.org/dist/ext/hx-csp.min.js'
import desk from '../views/static/desk.js'
import type { StaticAsset } from './http/app-env.ts'

const js = 'text/javascript; charset=utf-8'

export const bundledAssets: Record<string, StaticAsset> = {
  'htmx.min.js': { body: htmx, type: js },
  'hx-csp.min.js': { body: hxCsp, type: js },
  'desk.js': { body: desk, type: js },
}
