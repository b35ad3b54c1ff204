/// The report's stylesheet, inlined so the file works offline and alone: system fonts,
/// a centred column, charts in a two-up grid on wide screens, quiet tables.
extension ReportStyle {
    package static let css = """
        :root { --ink: #1d2430; --muted: #5b6472; --line: #e3e6eb; --panel: #ffffff; --page: #f5f6f8;
          --blue: #0072B2; --green: #009E73; --vermillion: #D55E00; --orange: #E69F00; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; background: var(--page); color: var(--ink);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
        main { max-width: 1320px; margin: 0 auto; padding: 28px 28px 40px; }
        header.top { display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr); gap: 8px 40px;
          align-items: start; margin-bottom: 20px; }
        .eyebrow { margin: 0; font-size: 12px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); }
        h1 { margin: 2px 0 6px; font-size: 30px; line-height: 1.15; letter-spacing: -.01em; overflow-wrap: anywhere; }
        .lede { margin: 0 0 14px; color: var(--muted); max-width: 70ch; }
        .verdict { margin: 0; padding: 12px 16px; border-left: 4px solid var(--blue); background: var(--panel);
          border-radius: 0 8px 8px 0; font-size: 16px; box-shadow: 0 1px 2px rgba(16,24,40,.06); }
        .verdict strong { font-variant-numeric: tabular-nums; }
        dl.settings { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 3px 14px; margin: 4px 0 0;
          padding: 12px 16px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; font-size: 13px; }
        dl.settings dt { color: var(--muted); }
        dl.settings dd { margin: 0; font-weight: 500; overflow-wrap: anywhere; }
        .stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; margin: 0 0 22px; }
        .stat { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
          border-top: 3px solid var(--accent, var(--line)); }
        .stat .k { font-size: 12px; color: var(--muted); }
        .stat .v { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.25; }
        .stat .s { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(540px, 100%), 1fr)); gap: 16px; margin-bottom: 22px; }
        figure { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 10px; }
        figure h2, section h2 { margin: 0 0 2px; font-size: 16px; }
        figcaption { color: var(--muted); font-size: 13px; margin: 0 0 8px; }
        svg.chart { display: block; width: 100%; max-width: 100%; height: auto; margin: 0 auto;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
        figure.heat svg.chart { width: auto; max-width: 100%; }
        figure.wide { grid-column: 1 / -1; }
        h2.section-heading { font-size: 18px; margin: 6px 0 10px; }
        p.unfinished { margin: 10px 0 0; padding: 8px 12px; border-left: 4px solid #D55E00; background: #fbeee6;
          border-radius: 4px; font-size: 14px; }
        section.block { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
          margin-bottom: 16px; overflow-x: auto; }
        section.block > p.hint { margin: 0 0 10px; color: var(--muted); font-size: 13px; }
        table.data { border-collapse: collapse; width: 100%; font-size: 13.5px; font-variant-numeric: tabular-nums; }
        table.data th, table.data td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left;
          vertical-align: middle; }
        table.data thead th { font-size: 12px; color: var(--muted); font-weight: 600; border-bottom: 1px solid #cfd4dc;
          white-space: nowrap; }
        table.data tbody th { font-weight: 500; }
        table.data .num { text-align: right; white-space: nowrap; }
        table.data td.best strong { color: var(--ink); font-weight: 700; }
        table.data td.best { background: #eef5fb; }
        tr.kind-federated { background: #f4f9fd; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 8px; vertical-align: 0; }
        .kind, .label { font-size: 11.5px; color: var(--muted); margin-left: 4px; }
        .label { color: var(--ink); }
        .kind { border: 1px solid var(--line); border-radius: 999px; padding: 0 7px; white-space: nowrap; }
        td.bar-cell { position: relative; min-width: 64px; }
        td.bar-cell .bar { position: absolute; right: 8px; bottom: 3px; height: 3px;
          border-radius: 2px; opacity: .75; }
        td.delta.worse, .worse { color: var(--vermillion); }
        tr.worst th, tr.worst td { background: #fdf3ec; }
        .site-name { display: inline-block; max-width: 28ch; overflow: hidden; text-overflow: ellipsis;
          white-space: nowrap; vertical-align: bottom; }
        .worst-mark { font-size: 11px; color: #fff; background: var(--vermillion); border-radius: 999px; padding: 0 7px;
          margin-left: 6px; }
        .gallery { display: grid; gap: 12px; }
        .example-row { display: grid; grid-template-columns: minmax(120px, 16ch) 1fr; gap: 12px; align-items: center; }
        .example-row h3 { margin: 0; font-size: 14px; font-weight: 600; overflow: hidden; text-overflow: ellipsis;
          white-space: nowrap; }
        .example-images { display: flex; flex-wrap: wrap; gap: 12px; }
        div.example { display: grid; justify-items: center; gap: 4px; font-size: 12px; }
        img.example { width: 112px; height: auto; image-rendering: pixelated; border-radius: 4px;
          border: 1px solid var(--line); background: #000; }
        div.example .cap { display: grid; justify-items: center; line-height: 1.3; }
        div.example .cap .site-name { max-width: 14ch; color: var(--muted); }
        div.example .cap .class { font-weight: 600; }
        ul.checks { list-style: none; margin: 0; padding: 0; }
        ul.checks li { display: grid; grid-template-columns: 26px 1fr auto; gap: 10px; align-items: baseline;
          padding: 7px 0; border-bottom: 1px solid var(--line); }
        ul.checks li:last-child { border-bottom: 0; }
        .mark { display: inline-grid; place-items: center; width: 22px; height: 22px; border-radius: 50%; color: #fff;
          font-weight: 700; font-size: 13px; }
        .pass .mark { background: var(--green); }
        .fail .mark { background: var(--vermillion); }
        .observed { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; text-align: right; }
        .tally { font-weight: 600; }
        ul.notes { margin: 0; padding-left: 20px; }
        .privacy-statement { margin: 0 0 12px; padding: 10px 14px; border-left: 4px solid #CC79A7; background: #fbf4f8;
          border-radius: 0 8px 8px 0; max-width: 110ch; }
        table.privacy-numbers td:last-child { color: var(--muted); }
        .privacy-charts { margin: 14px 0 10px; }
        section.block h3 { margin: 12px 0 4px; font-size: 14px; }
        ul.unprotected { margin: 0; padding-left: 20px; max-width: 110ch; }
        footer { color: var(--muted); font-size: 12px; margin-top: 18px; text-align: center; }
        .empty { color: var(--muted); font-style: italic; }
        @media (max-width: 860px) { header.top { grid-template-columns: 1fr; } .charts { grid-template-columns: 1fr; } }
        @media print { body { background: #fff; } figure, section.block { break-inside: avoid; } }
        """
}
