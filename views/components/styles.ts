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
.header-search { flex:1 1 12rem; max-width:22rem; } .header-search input { width:100%; padding:.3rem .5rem; font:inherit; }
.visually-hidden { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); white-space:nowrap; }
.search-hits { list-style:none; padding:0; } .search-hits li { margin-bottom:.6rem; } .search-hits p { margin:.2rem 0; overflow-wrap:anywhere; }
.search-hits mark { background:#fff0b3; color:inherit; }
.pager { display:flex; gap:1rem; margin-top:1rem; } .saved-views { display:flex; flex-wrap:wrap; gap:.4rem 1rem; align-items:baseline; margin:.5rem 0; }
.saved-view { margin-right:.6rem; } .saved-view form { display:inline; } .saved-view button { margin:0; padding:0 .3rem; }
.save-view label { margin-right:.5rem; } .save-view button { margin-top:0; }
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
/* Sign-in, forms, the user menu, the dev mailbox. */
.user-menu { margin-left:auto; display:flex; gap:1rem; align-items:baseline; }
.admin-menu { position:relative; } .admin-menu > summary { cursor:pointer; color:var(--accent); } .admin-menu > div > a { padding:.2rem 0; }
.admin-menu[open] > div { position:absolute; right:0; z-index:10; display:grid; grid-template-columns:repeat(2, max-content); gap:.35rem 1.2rem;
  padding:.7rem 1rem; background:#fff; border:1px solid #d5dae3; border-radius:6px; box-shadow:0 4px 14px rgba(0,0,0,.12); max-width:calc(100vw - 2rem); }
@media (max-width: 700px) { .admin-menu[open] > div { position:static; grid-template-columns:1fr 1fr; box-shadow:none; } }
.narrow { max-width:28rem; margin:2rem auto; }
form.inline { display:inline; margin:0; }
label { display:block; font-weight:600; margin:.8rem 0 .3rem; }
input, select { font:inherit; padding:.45rem .55rem; border:1px solid var(--line); border-radius:6px; background:#fff; }
input[type=email], input[type=text] { width:100%; }
button { font:inherit; padding:.45rem .9rem; margin-top:.8rem; border:0; border-radius:6px; background:var(--accent); color:#fff; cursor:pointer; }
button.small { padding:.2rem .6rem; margin:0 0 0 .3rem; font-size:.85rem; }
button.danger { background:var(--red); }
button.link { background:none; color:var(--accent); padding:0; margin:0; text-decoration:underline; }
.error, .field-error { color:var(--red); }
.field-error { margin:.2rem 0 0; font-size:.9rem; }
.add-user { max-width:28rem; margin-top:1.5rem; }
.mail { margin-bottom:1rem; } .mail h2 { font-size:1.05rem; margin:0 0 .3rem; }
.mail pre { white-space:pre-wrap; word-break:break-word; font-family:ui-monospace, monospace; font-size:.9rem; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:.2rem 1rem; } dt { color:var(--muted); } dd { margin:0; }
@media (max-width: 700px) { .hide-narrow { display:none; } main { padding:.8rem; } }
.red-flags { display:inline-flex; flex-wrap:wrap; gap:.25rem; margin-left:.3rem; } .red-flag { background:#fde7e7; color:var(--red); }
.red-flag-panel { border-color:#f3b9b9; margin:.8rem 0; } .red-flag-panel h2 { color:var(--red); font-size:1rem; margin:0 0 .4rem; } .red-flag-panel ul { margin:0; padding-left:1.2rem; }
.scorecard { margin:1rem 0; } .score-measures { display:block; font-size:.85rem; font-weight:normal; }
.score-badge-met { background:#e3f4e4; color:#1b5e20; } .score-badge-missed { background:#fde7e7; color:var(--red); }
.template-preview { white-space:pre-wrap; overflow-wrap:anywhere; background:var(--bg); padding:.8rem; border-radius:6px; }
.template-fields dt { margin-top:.4rem; } .template-fields dd { margin-left:1rem; }
@media (max-width: 700px) {
  table.stack-on-phone thead { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
  table.stack-on-phone tr { display:block; border-bottom:1px solid var(--line); padding:.4rem 0; }
  table.stack-on-phone th, table.stack-on-phone td { display:block; border:0; padding:.2rem .5rem; }
  table.stack-on-phone td[data-label]::before { content:attr(data-label) ": "; color:var(--muted); font-size:.85rem; }
}
`
