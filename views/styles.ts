// Served inline with the CSP nonce; no external fonts or stylesheets.
export const styles = `
:root { --ink:#1d2433; --muted:#5b6478; --line:#dde1ea; --bg:#f6f7fa; --panel:#fff; --accent:#2b5fd9;
  --amber:#b76e00; --red:#c62828; --green:#2e7d32; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); line-height:1.45; }
a { color:var(--accent); }
.top { display:flex; gap:1rem; align-items:baseline; padding:.8rem 1.5rem; background:var(--panel); border-bottom:1px solid var(--line); }
.brand { font-weight:700; text-decoration:none; color:var(--ink); }
.org { color:var(--muted); }
main { max-width:1200px; margin:0 auto; padding:1.5rem; }
h1 { font-size:1.4rem; margin:0 0 1rem; }
.panel { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:1.2rem; }
.muted { color:var(--muted); }
table { width:100%; border-collapse:collapse; background:var(--panel); }
th, td { text-align:left; padding:.55rem .7rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
.badge { display:inline-block; padding:.05rem .45rem; border-radius:4px; font-size:.8rem; background:#eef1f7; }
.sev-SEV-1 { background:#fde7e7; color:var(--red); } .sev-SEV-2 { background:#fff1dc; color:var(--amber); }
.empty { padding:2rem; text-align:center; color:var(--muted); }
@media (max-width: 700px) { .hide-narrow { display:none; } main { padding:.8rem; } }
`
