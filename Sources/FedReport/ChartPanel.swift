/// A chart panel of the report: its heading and caption, and how to draw it at a given
/// width. Panels sit two to a row; a heat map of many rows or columns takes a row of its
/// own so its cells stay legible, and a panel left alone on a row is drawn wide rather than
/// beside a hole.
struct ChartPanel {
    var heading: String
    var caption: String
    var isHeatMap = false
    var wide = false
    /// The chart's SVG at full page width (true) or half (false); nil when there is nothing to draw.
    var draw: (_ wide: Bool) -> String?

    /// The viewBox width of a chart that spans the page, and of one in half a row.
    static let wideWidth = 1180.0
    static let halfWidth = 640.0

    /// The viewBox width for `wide`.
    static func width(_ wide: Bool) -> Double { wide ? self.wideWidth : self.halfWidth }

    /// The panels that have something to draw as one `<section class="charts">`, with an
    /// optional heading above them; empty text when none draws.
    static func section(_ candidates: [ChartPanel], heading: String? = nil, id: String? = nil) -> String {
        // Draw each chart at its first width; only a chart that moves to a row of its own is drawn again.
        var drawn = candidates.compactMap { panel in panel.draw(panel.wide).map { (panel: panel, svg: $0) } }
        guard !drawn.isEmpty else { return "" }
        // A lone half-width panel before a wide one (or at the end) widens to fill its row.
        var half = 0
        for index in drawn.indices {
            if drawn[index].panel.wide {
                if half % 2 == 1 { Self.widen(&drawn, index - 1) }
                half = 0
            } else {
                half += 1
            }
        }
        if half % 2 == 1 { Self.widen(&drawn, drawn.count - 1) }
        let figures = drawn.map { item in
            let classes = [item.panel.isHeatMap ? "heat" : nil, item.panel.wide ? "wide" : nil].compactMap { $0 }
            return Self.figure(item.panel.heading, caption: item.panel.caption, svg: item.svg, classNames: classes)
        }
        let title = heading.map { "<h2 class=\"section-heading\">\($0.htmlEscaped)</h2>\n" } ?? ""
        let anchor = id.map { " id=\"\($0)\"" } ?? ""
        return "\(title)<section class=\"charts\"\(anchor)>\n\(figures.joined(separator: "\n"))\n</section>"
    }

    private static func widen(_ drawn: inout [(panel: ChartPanel, svg: String)], _ index: Int) {
        guard drawn.indices.contains(index), !drawn[index].panel.wide, let svg = drawn[index].panel.draw(true) else {
            return
        }
        drawn[index].panel.wide = true
        drawn[index].svg = svg
    }

    private static func figure(_ heading: String, caption: String, svg: String, classNames: [String]) -> String {
        let cls = classNames.isEmpty ? "" : " class=\"\(classNames.joined(separator: " "))\""
        return
            "<figure\(cls)><h2>\(heading.htmlEscaped)</h2><figcaption>\(caption.htmlEscaped)</figcaption>\n\(svg)\n</figure>"
    }
}
