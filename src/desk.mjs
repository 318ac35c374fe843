#!/usr/bin/env node
// The `desk` command. TypeScript runs through tsx's loader, so there is no build step. The
// version check comes first and alone: on an old Node, tsx itself would fail to load.
import './check-node.mjs'

const { register } = await import('tsx/esm/api')
register()
await import('./cli.ts')
