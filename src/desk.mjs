#!/usr/bin/env node
// The `desk` command. TypeScript runs through tsx's loader, so there is no build step. The
// version check comes first: on an old Node, tsx itself would fail to load. Then `import` and
// `export` start again in a Node that keeps its heap small (src/lean-node.mjs); then the settings
// file (.env), so every later read of the environment sees it.
import './check-node.mjs'
import { fileURLToPath } from 'node:url'
import { rerunLean } from './lean-node.mjs'

const rerun = await rerunLean(process.argv[2], fileURLToPath(import.meta.url), process.argv.slice(2))
if (rerun !== null) process.exit(rerun)

await import('./load-env-file.mjs')
const { register } = await import('tsx/esm/api')
// The desk's own tsconfig (JSX through hono/jsx) whatever the working directory: tsx would
// otherwise look for one where the command was started.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
await import('./cli.ts')
