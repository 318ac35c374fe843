// `npm start`: the Node version check, then the server (src/index.ts) through tsx's loader.
import './check-node.mjs'
import './load-env-file.mjs'
import { fileURLToPath } from 'node:url'

const { register } = await import('tsx/esm/api')
// The desk's own tsconfig (JSX through hono/jsx) whatever the working directory: tsx would
// otherwise look for one where the command was started.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) })
await import('./index.ts')
