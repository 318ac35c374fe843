// Wrangler's Text rule (wrangler.toml) imports this file as a string on Workers.
declare module 'htmx.org/dist/htmx.min.js' {
  const source: string
  export default source
}
declare module 'htmx.org/dist/ext/hx-csp.min.js' {
  const source: string
  export default source
}
declare module '*/static/desk.js' {
  const source: string
  export default source
}
