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
/* Queue (views/pages/queue.tsx): columns of fixed share, so a long subject is one line cut with an
   ellipsis (the whole text on hover) and never widens the page; the clock big enough to read at a
   glance; two row densities and the j/k row mark (views/static/desk.js). */
table.queue { table-layout:fixed; } table.queue th.due-cell { width:9.5rem; } table.queue th.case-cell { width:36%; }
table.queue td { overflow-wrap:anywhere; } table.queue .subject { display:block; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
table.queue .account { display:block; } table.queue .countdown { display:block; font-size:1.2rem; line-height:1.2; }
table.queue .countdown .clock-label { display:block; font-size:.75rem; margin:0; text-transform:uppercase; letter-spacing:.03em; }
html[data-density=compact] table.queue td { padding-top:.15rem; padding-bottom:.15rem; }
html[data-density=compact] table.queue .account, html[data-density=compact] table.queue .countdown .clock-label { display:none; }
html[data-density=compact] table.queue .countdown { font-size:1rem; }
table.queue tr.current td { background:var(--accent-soft, #eef3fb); } table.queue tr.current td:first-child { box-shadow:inset 3px 0 0 var(--accent); }
.queue-tools { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; margin:-.3rem 0 .8rem; font-size:.9rem; }
.queue-tools[hidden] { display:none; } .queue-tools label { display:inline-flex; gap:.3rem; align-items:center; font-weight:400; margin:0; }
@media (pointer: coarse) and (max-width: 700px) { .queue-tools .queue-keys { display:none; } }
kbd { font:inherit; font-size:.85em; padding:0 .3em; border:1px solid var(--line); border-radius:3px; background:var(--panel); }
.progress { width:100%; height:1rem; }
.flags { margin:.6rem 0; } .flags-warn { background:#fff8e6; border:1px solid #f5d9a8; padding:.6rem .9rem; border-radius:6px; }
.flags .evidence { color:var(--muted); font-style:italic; } .draft-meta { margin:0 0 .4rem; }
.draft-body { background:#fafbfd; border:1px solid var(--line); border-radius:6px; padding:.7rem; }
.diff ins { background:#e3f4e6; text-decoration:none; } .diff del { background:#fde7e7; }
.draft-edit, .diff { margin:.6rem 0; } .draft-edit summary, .diff summary { cursor:pointer; color:var(--accent); }
/* Metrics (views/pages/metrics.tsx, views/components/chart.tsx): first response front and center. */
.metric-grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(260px, 1fr)); gap:1rem; margin:1rem 0; }
.hero { border-left:4px solid var(--accent); } .clock-note { margin:.2rem 0 1rem; }
.hero-grid { display:grid; grid-template-columns:minmax(200px, 1fr) minmax(0, 2.6fr); gap:1.2rem; align-items:start; }
.hero-number { font-size:3rem; font-weight:700; line-height:1; margin:.2rem 0 .4rem; font-variant-numeric:tabular-nums; }
.hero-table td.over { color:var(--red); } .hero-table td.under { color:var(--green); }
.big { font-size:2.2rem; line-height:1.1; font-weight:700; margin:.2rem 0 .5rem; font-variant-numeric:tabular-nums; } .big .muted { font-size:1rem; font-weight:400; }
table.mini { width:auto; font-size:.9rem; } table.mini th, table.mini td { padding:.2rem .6rem; }
.trend-grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(min(100%, 460px), 1fr)); gap:1.6rem 1.2rem; }
figure.trend { margin:0; } figure.trend figcaption { font-weight:600; margin-bottom:.3rem; }
.trend-body { display:grid; grid-template-columns:minmax(260px, 1fr) auto; gap:.8rem; align-items:start; }
.trend-body table.mini th { text-transform:none; letter-spacing:0; }
svg.chart { width:100%; height:auto; display:block; }
svg.chart .axis, svg.chart .grid { stroke:var(--line); stroke-width:1; }
svg.chart .bar, svg.chart .dot { fill:var(--accent); } svg.chart .line { stroke:var(--accent); stroke-width:2; }
svg.chart .target { stroke:var(--red); stroke-width:1.5; } svg.chart .tick { font-size:12px; fill:var(--muted); }
svg.chart .axis-title { font-size:12px; fill:var(--ink); } svg.chart .empty-label { font-size:14px; fill:var(--muted); } svg.chart .target-label { font-size:12px; fill:var(--red); } svg.chart .axis { stroke:var(--muted); }
.period input[type=date] { padding:.25rem .4rem; }
.target-figures { list-style:none; margin:0; padding:0; display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:.8rem; }
.target-figure { border:1px solid var(--line); border-radius:8px; padding:.7rem .8rem; }
.figure-number { font-size:clamp(1.4rem, 5vw, 2rem); font-weight:700; line-height:1.1; margin:.3rem 0 .1rem; font-variant-numeric:tabular-nums; white-space:nowrap; }
.target-figure.over .figure-number { color:var(--red); } .target-figure.under .figure-number { color:var(--green); }
.figure-target { margin:0 0 .35rem; font-weight:600; } .figure-count { margin:.35rem 0 0; font-size:.9rem; }
svg.meter { width:100%; height:8px; display:block; } .meter-track { fill:#eef1f7; } .meter-fill.under { fill:var(--green); } .meter-fill.over { fill:var(--red); }
.meter-target { stroke:var(--ink); stroke-width:1.5; }
.figure-pair { display:grid; grid-template-columns:repeat(auto-fit, minmax(120px, 1fr)); gap:.6rem; } .figure-pair p { margin:.1rem 0; }
details.numbers { margin-top:.6rem; } details.numbers summary { cursor:pointer; color:var(--accent); }
.table-scroll { max-width:100%; overflow-x:auto; } main .table-scroll > table { display:table; overflow:visible; }
.metric-grid.coaching { grid-template-columns:repeat(auto-fit, minmax(min(100%, 170px), 1fr)); } .compare.better .big { color:var(--green); } .compare.worse .big { color:var(--red); }
.discuss li { margin:.5rem 0; } .discuss-subject { overflow-wrap:anywhere; }
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
@media (max-width: 900px) { .hero-grid, .review-grid, .trend-body, .trend-grid { grid-template-columns:minmax(0, 1fr); } }
@media print { .top, .no-print, .crumbs { display:none; } body { background:#fff; } main { max-width:none; padding:0; }
  .review-print h2 { break-after:avoid; } .review-print table, .review-print li { break-inside:avoid; } .review-print a { color:inherit; text-decoration:none; } }
@media (max-width: 900px) { .case-grid { grid-template-columns:minmax(0, 1fr); } .timeline li { grid-template-columns:1fr; } }
@media (max-width: 700px) { main table:not(.queue) { display:block; max-width:100%; overflow-x:auto; }
  table.queue thead { display:none; } table.queue tr { display:block; border-bottom:1px solid var(--line); padding:.4rem 0; }
  table.queue td { display:block; border:0; padding:.15rem .5rem; } table.queue td:nth-last-child(-n+3) { display:inline-block; }
  .top { flex-wrap:wrap; gap:.3rem .9rem; padding:.6rem .8rem; } .user-menu { flex-wrap:wrap; gap:.3rem .9rem; margin-left:0; } }
/* Case page (views/pages/case.tsx, views/case/next-action-bar.tsx): the next step and its one primary
   button, the clocks big at the top, secondary buttons quieter; on a phone a bottom bar of actions. */
:root { --amber:#8a5300; }
:focus-visible { outline:3px solid var(--accent); outline-offset:2px; }
summary { line-height:1.7; } button.small { padding:.3rem .65rem; }
/* The header: words never break inside a menu item; the menu wraps onto a second line instead. */
.top { flex-wrap:wrap; row-gap:.4rem; } .brand, .org, .user-menu a, .user-menu > span { white-space:nowrap; }
.user-menu { flex-wrap:wrap; row-gap:.3rem; justify-content:flex-end; } @media (max-width: 700px) { .user-menu { justify-content:flex-start; } }
.skip-link { position:absolute; left:.5rem; top:-3rem; z-index:20; background:var(--panel); padding:.5rem .8rem; border-radius:6px; }
.skip-link:focus { top:.5rem; } main:focus { outline:none; }
.message .subject.clamped { display:-webkit-box; -webkit-line-clamp:2; -webkit-box-orient:vertical; overflow:hidden; overflow-wrap:anywhere; }
.case-head h1.clamped { display:-webkit-box; -webkit-line-clamp:3; -webkit-box-orient:vertical; overflow:hidden; }
.full-subject { margin:0 0 .6rem; } .full-subject summary { cursor:pointer; color:var(--accent); } .full-subject p { margin:.3rem 0; overflow-wrap:anywhere; }
#case > .clocks { margin-bottom:1rem; grid-template-columns:repeat(auto-fit, minmax(190px, 1fr)); } .clocks h3 { margin-bottom:.15rem; }
.clocks .countdown { font-size:1.7rem; line-height:1.15; display:block; } .clocks > div > .muted { font-size:1.05rem; }
.next-action { display:flex; flex-wrap:wrap; gap:.8rem 1.5rem; align-items:center; justify-content:space-between; margin:0 0 1rem;
  background:#eef3ff; border:1px solid #c9d6f5; border-left:6px solid var(--accent); border-radius:8px; padding:1rem 1.2rem; }
.next-action.next-closed, .next-action.next-awaiting_approval, .next-action.next-sending, .next-action.next-waiting_customer,
  .next-action.next-awaiting_confirmation, .next-action.next-draft_pending { border-left-color:var(--muted); background:var(--panel); border-color:var(--line); }
.next-action.next-send_failed { border-left-color:var(--red); }
.next-text { flex:1 1 22rem; min-width:0; overflow-wrap:anywhere; }
.next-label { margin:0; font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); font-weight:600; }
.next-action h2 { margin:.1rem 0 .2rem; font-size:1.35rem; } .next-detail { margin:0; }
.next-control { display:flex; flex-direction:column; gap:.5rem; align-items:flex-start; min-width:0; max-width:100%; }
.next-form { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; max-width:100%; margin:0; } .next-form select { min-width:0; max-width:100%; }
.next-form button, .next-control .flash { margin:0; }
button.primary, a.button.primary { background:var(--accent); color:#fff; font-weight:600; padding:.6rem 1.15rem; font-size:1.02rem; border:0; }
#case button:not(.primary):not(.link) { background:#fff; color:var(--accent); border:1px solid #aebde3; }
#case button.danger { color:var(--red); border-color:#e6aaaa; }
.actions .flash, #approval .flash, .customer .flash { margin:.4rem 0; }
.case-grid { grid-template-rows:auto 1fr; }
.case-grid > .customer { grid-column:2; grid-row:1; } .case-grid > .case-main { grid-column:1; grid-row:1 / span 2; } .case-grid > .case-side { grid-column:2; grid-row:2; }
.mail-scroll { max-height:32rem; overflow:auto; } .mail-scroll > .mail-body { max-height:none; overflow:visible; }
.case-bar { display:none; }
@media (max-width: 900px) { .case-grid > .customer, .case-grid > .case-main, .case-grid > .case-side { grid-column:auto; grid-row:auto; } }
@media (max-width: 700px) {
  .case-bar { display:flex; position:fixed; left:0; right:0; bottom:0; z-index:10; gap:.3rem; padding:.35rem .4rem;
    background:var(--panel); border-top:1px solid var(--line); box-shadow:0 -2px 8px rgba(29,36,51,.12); }
  .case-bar a { flex:1 1 0; min-width:0; text-align:center; padding:.6rem .15rem; border-radius:6px; text-decoration:none; font-weight:600; }
  .case-bar a.next { background:var(--accent); color:#fff; }
  #case { padding-bottom:4.5rem; } #case [id] { scroll-margin-bottom:4.5rem; }
  #case > .clocks { grid-template-columns:repeat(2, minmax(0, 1fr)); gap:.7rem; padding:.9rem; } .clocks .countdown { font-size:1.4rem; }
  .next-action { padding:.85rem; } .next-control, .next-form, .next-form select, .next-form button, .next-action a.button { width:100%; text-align:center; }
}
/* The approval link page (views/pages/approval-link.tsx): the customer's words first, then the reply. */
.approval-grid { display:grid; grid-template-columns:minmax(0, 1fr) minmax(0, 1.25fr); gap:1rem; align-items:start; }
.approval-grid > .panel, .chips > span { min-width:0; overflow-wrap:anywhere; } .approval-clock .countdown { font-size:1.5rem; }
.subject-line.clamped { display:-webkit-box; -webkit-line-clamp:2; -webkit-box-orient:vertical; overflow:hidden; }
.thread-summary { padding-left:1.2rem; margin:.3rem 0; } .thread-summary li { margin:.45rem 0; }
button.danger.quiet { background:#fff; color:var(--red); border:1px solid #e6aaaa; }
@media (max-width: 900px) { .approval-grid { grid-template-columns:minmax(0, 1fr); } }
.countdown .clock-due { display:none; }
pre.mail-text { white-space:pre-wrap; overflow-wrap:anywhere; } /* the digest preview (views/pages/digest-settings.tsx) */
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation:none !important; transition:none !important; scroll-behavior:auto !important; }
  .countdown .clock-text { display:none; } .countdown .clock-due { display:inline; } }
`
