/// The one stylesheet of every HTML report: readable on screen, and on A4
/// paper — 15 mm margins, a 180 mm column, no dark backgrounds, rows and
/// figures kept whole across page breaks, and pass/fail told by words and
/// symbols as well as by tint.
enum ReportStylesheet {
    static let css = """
    @page { size: A4; margin: 15mm; }
    * { box-sizing: border-box; }
    html { -webkit-print-color-adjust: exact; print-color-adjust: exact; background: #ffffff; }
    body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 10pt; line-height: 1.4;
           color: #1a1a1a; background: #ffffff; max-width: 180mm; margin: 10mm auto; padding: 0 2mm; }
    @media print { body { max-width: none; margin: 0; padding: 0; } a { color: inherit; } }
    h1 { font-size: 17pt; line-height: 1.2; margin: 0 0 3pt; }
    h2 { font-size: 13pt; margin: 18pt 0 6pt; padding-bottom: 2pt; border-bottom: 1.5pt solid #1f3b63; break-after: avoid; }
    h3 { font-size: 11pt; margin: 14pt 0 4pt; break-after: avoid; }
    h4 { font-size: 10pt; margin: 8pt 0 2pt; break-after: avoid; }
    p { margin: 4pt 0; }
    a { color: #1f3b63; }
    .meta { color: #444444; margin: 0 0 10pt; }
    code, .id { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.9em; overflow-wrap: break-word; }
    .muted { color: #555555; }
    .wrap { overflow-wrap: anywhere; }
    table { width: 100%; border-collapse: collapse; font-size: 8.5pt; margin: 4pt 0 8pt; }
    th, td { text-align: left; vertical-align: top; padding: 3pt 4pt; border-bottom: 0.5pt solid #bbbbbb; }
    th { background: #eef1f5; border-bottom: 1pt solid #666666; font-weight: bold; }
    thead { display: table-header-group; }
    td.num, th.num { text-align: right; white-space: nowrap; }
    table.drills .id, .nowrap { white-space: nowrap; }
    tr, figure, .summary, .finding, .verdict-box { break-inside: avoid; page-break-inside: avoid; }
    tr.pass { background: #edf7ee; }
    tr.warn { background: #fff5e0; }
    tr.fail { background: #fdecea; }
    .badge { font-weight: bold; white-space: nowrap; }
    .badge.pass { color: #1b5e20; }
    .badge.warn { color: #8a5300; }
    .badge.fail { color: #b71c1c; }
    .badge.note { color: #1f3b63; }
    table.facts th { width: 32%; background: none; border-bottom: 0.5pt solid #bbbbbb; font-weight: normal; color: #444444; }
    .summary { border: 1pt solid #888888; border-left: 6pt solid #1f3b63; padding: 7pt 10pt; margin: 8pt 0 4pt; }
    .summary.pass { border-left-color: #2e7d32; }
    .summary.warn { border-left-color: #d08a00; }
    .summary.fail { border-left-color: #b71c1c; }
    .summary .verdict { font-size: 15pt; font-weight: bold; margin: 0 0 3pt; }
    .summary table { margin: 6pt 0 0; font-size: 9.5pt; }
    .summary table th { width: 26%; }
    figure { margin: 6pt 0 12pt; }
    figcaption { font-size: 8.5pt; color: #444444; margin-top: 3pt; }
    svg.chart { display: block; width: 100%; max-width: 180mm; height: auto; margin: 4pt 0; }
    pre.error { white-space: pre-wrap; overflow-wrap: anywhere; font-family: "DejaVu Sans Mono", "Liberation Mono", monospace;
                font-size: 8.5pt; margin: 4pt 0 8pt; padding: 4pt 6pt; border-left: 3pt solid #b71c1c; background: #fdf3f2; }
    section.drill > h3 { margin-top: 16pt; padding-top: 6pt; border-top: 1pt solid #888888; }
    .finding { border: 0.75pt solid #bbbbbb; border-left: 5pt solid #888888; padding: 5pt 8pt; margin: 6pt 0; }
    .finding.problem { border-left-color: #b71c1c; }
    .finding.warning { border-left-color: #d08a00; }
    .finding.info { border-left-color: #3d7eb9; }
    .finding h3 { margin: 0 0 2pt; font-size: 10.5pt; }
    .finding p { margin: 2pt 0; }
    ul.plain { margin: 2pt 0 6pt; padding-left: 14pt; }
    footer { margin-top: 18pt; font-size: 8pt; color: #555555; border-top: 0.5pt solid #bbbbbb; padding-top: 3pt; }
    """
}
