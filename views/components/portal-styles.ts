// Queue, case page and forms: calm, readable, phone-friendly; no external fonts.
export const portalStyles = `
.crumbs { margin:0 0 .6rem; }
.flash { padding:.6rem .9rem; border-radius:6px; margin:0 0 1rem; }
.flash.error { background:#fde7e7; color:var(--red); border:1px solid #f3c1c1; }
.flash.notice { background:#e8f5e9; color:var(--green); border:1px solid #c3e3c5; }
.case-head h1 { margin-bottom:.4rem; }
.chips { display:flex; flex-wrap:wrap; gap:.35rem; margin-bottom:1rem; }
.case-grid { display:grid; grid-template-columns:minmax(0, 2fr) minmax(260px, 1fr); gap:1rem; align-items:start; }
.case-main > .panel, .case-side > .panel { margin-bottom:1rem; }
.case-main, .case-side { min-width:0; overflow-wrap:anywhere; }
code, main h1, main h2, main li { overflow-wrap:anywhere; }
.panel h2 { font-size:1.05rem; margin:1rem 0 .5rem; } .panel h2:first-child { margin-top:0; }
.panel h3 { font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 .3rem; }
.clocks { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:1rem; }
.clocks .reasons { grid-column:1 / -1; } .clocks .countdown { white-space:normal; }
.message.original { background:#f7f7f2; padding:.7rem; border-radius:6px; } .reasons ul { margin:.2rem 0 0; padding-left:1.1rem; }
.countdown { font-variant-numeric:tabular-nums; font-weight:600; white-space:nowrap; }
.countdown.ok { color:var(--ink); } .countdown.met { color:var(--green); }
.countdown.at_risk { color:var(--amber); } .countdown.breached { color:var(--red); }
.countdown .clock-label { font-weight:400; color:var(--muted); margin-right:.3rem; }
tr.at_risk td:first-child { box-shadow:inset 4px 0 var(--amber); } tr.breached td:first-child { box-shadow:inset 4px 0 var(--red); }
.message { border-top:1px solid var(--line); padding:.7rem 0; } .message:first-of-type { border-top:0; }
.message.note { background:#fffbea; padding:.7rem; border-radius:6px; } .message.outbound { background:#f2f6ff; padding:.7rem; border-radius:6px; }
.message .subject { font-weight:600; margin:.3rem 0; }
.mail-body { white-space:pre-wrap; word-break:break-word; font-family:inherit; font-size:.95rem; margin:.4rem 0; max-height:32rem; overflow:auto; }
iframe.mail-html { width:100%; height:24rem; border:1px solid var(--line); border-radius:6px; background:#fff; }
.badge.warn { background:#fff1dc; color:var(--amber); margin-left:.4rem; } .warn-text { color:var(--amber); font-weight:600; }
.badge.ref { background:#e9f0ff; } .health-green { background:#e8f5e9; color:var(--green); } .health-amber { background:#fff1dc; color:var(--amber); } .health-red { background:#fde7e7; color:var(--red); }
.stack { display:flex; flex-direction:column; gap:.4rem; } .stack button { align-self:flex-start; margin-top:.2rem; }
textarea { font:inherit; padding:.45rem .55rem; border:1px solid var(--line); border-radius:6px; width:100%; }
.actions select, .actions input { width:100%; }
.field { font-weight:600; } .field > span { display:block; margin-bottom:.25rem; } .field input, .field select, .field textarea { width:100%; font-weight:400; }
.field small { display:block; font-weight:400; }
button.primary { font-weight:600; }
.timeline { list-style:none; padding:0; margin:0; } .timeline li { display:grid; grid-template-columns:11rem 1fr; gap:.6rem; padding:.35rem 0; border-bottom:1px dashed var(--line); }
.timeline time { color:var(--muted); font-size:.85rem; }
.plain { padding-left:1rem; margin:.3rem 0; }
.facts { margin:.5rem 0; }
.toolbar { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; margin:0 0 1rem; }
.toolbar a.button, a.button { display:inline-block; padding:.45rem .9rem; border-radius:6px; background:var(--accent); color:#fff; text-decoration:none; }
.filters { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; margin-bottom:.8rem; }
.filters label { display:inline-flex; gap:.3rem; align-items:center; font-weight:400; margin:0; }
.filters select { padding:.3rem .4rem; }
.counts { display:flex; gap:1rem; margin-bottom:.8rem; } .counts span { font-weight:600; }
.progress { width:100%; height:1rem; }
.flags { margin:.6rem 0; } .flags-warn { background:#fff8e6; border:1px solid #f5d9a8; padding:.6rem .9rem; border-radius:6px; }
.flags .evidence { color:var(--muted); font-style:italic; } .draft-meta { margin:0 0 .4rem; }
.draft-body { background:#fafbfd; border:1px solid var(--line); border-radius:6px; padding:.7rem; }
.diff ins { background:#e3f4e6; text-decoration:none; } .diff del { background:#fde7e7; }
.draft-edit, .diff { margin:.6rem 0; } .draft-edit summary, .diff summary { cursor:pointer; color:var(--accent); }
/* Metrics (views/pages/metrics.tsx, views/components/chart.tsx): first response front and center. */
.metric-grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(260px, 1fr)); gap:1rem; margin:1rem 0; }
.hero { border-left:4px solid var(--accent); } .clock-note { margin:.2rem 0 1rem; }
.hero-grid { display:grid; grid-template-columns:minmax(200px, 1fr) minmax(0, 2.2fr); gap:1.2rem; align-items:start; }
.hero-number { font-size:3rem; font-weight:700; line-height:1; margin:.2rem 0 .4rem; font-variant-numeric:tabular-nums; }
.hero-table td.over { color:var(--red); } .hero-table td.under { color:var(--green); }
.big { font-size:1.6rem; font-weight:700; margin:.2rem 0 .5rem; font-variant-numeric:tabular-nums; } .big .muted { font-size:1rem; font-weight:400; }
table.mini { width:auto; font-size:.9rem; } table.mini th, table.mini td { padding:.2rem .6rem; }
.trend-grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(520px, 1fr)); gap:1.2rem; }
figure.trend { margin:0; } figure.trend figcaption { font-weight:600; margin-bottom:.3rem; }
.trend-body { display:grid; grid-template-columns:minmax(260px, 1fr) auto; gap:.8rem; align-items:start; }
.trend-body table.mini th { text-transform:none; letter-spacing:0; }
svg.chart { width:100%; height:auto; max-width:440px; }
svg.chart .axis, svg.chart .grid { stroke:var(--line); stroke-width:1; }
svg.chart .bar, svg.chart .dot { fill:var(--accent); } svg.chart .line { stroke:var(--accent); stroke-width:2; }
svg.chart .target { stroke:var(--red); stroke-width:1; } svg.chart .tick { font-size:10px; fill:var(--muted); }
.period input[type=date] { padding:.25rem .4rem; }
/* Post-incident review, CSAT and the customer's link pages. */
.review-grid { display:grid; grid-template-columns:minmax(0, 2fr) minmax(260px, 1fr); gap:1rem; align-items:start; }
.review-print h2 { font-size:1.15rem; margin:1.2rem 0 .4rem; } .review-print .timeline.compact li { grid-template-columns:11rem 1fr; }
.whys { border:1px solid var(--line); border-radius:6px; padding:.6rem .8rem; }
.actions-list li { margin:.5rem 0; } .actions-list li.done strong { text-decoration:line-through; color:var(--muted); } .actions-list li.overdue strong { color:var(--red); }
.timeline.compact li { grid-template-columns:9rem 1fr; font-size:.9rem; }
.prewrap { white-space:pre-wrap; word-break:break-word; }
fieldset.rating { border:1px solid var(--line); border-radius:6px; } .rating-choice { display:flex; gap:.5rem; align-items:center; font-weight:400; margin:.3rem 0; }
.rating { font-size:1.2rem; } .rating-1, .rating-2 { color:var(--red); } .rating-4, .rating-5 { color:var(--green); }
blockquote { margin:.4rem 0; padding:.4rem .7rem; border-left:3px solid var(--line); }
@media (max-width: 900px) { .hero-grid, .review-grid, .trend-body, .trend-grid { grid-template-columns:1fr; } .hero-table, #owners table { display:block; overflow-x:auto; } }
@media print { .top, .no-print, .crumbs { display:none; } body { background:#fff; } main { max-width:none; padding:0; }
  .review-print h2 { break-after:avoid; } .review-print table, .review-print li { break-inside:avoid; } .review-print a { color:inherit; text-decoration:none; } }
@media (max-width: 900px) { .case-grid { grid-template-columns:minmax(0, 1fr); } .timeline li { grid-template-columns:1fr; } }
@media (max-width: 700px) { main table:not(.queue) { display:block; max-width:100%; overflow-x:auto; }
  table.queue thead { display:none; } table.queue tr { display:block; border-bottom:1px solid var(--line); padding:.4rem 0; }
  table.queue td { display:block; border:0; padding:.15rem .5rem; } table.queue td:nth-last-child(-n+3) { display:inline-block; }
  .top { flex-wrap:wrap; gap:.3rem .9rem; padding:.6rem .8rem; } .user-menu { flex-wrap:wrap; gap:.3rem .9rem; margin-left:0; } }
`
