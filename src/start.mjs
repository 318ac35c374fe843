// `npm start`: the Node version check, then the server (src/index.ts) through tsx's loader.
import './check-node.mjs'

const { register } = await import('tsx/esm/api')
register()
await import('./index.ts')
