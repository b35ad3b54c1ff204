/// A small builder for inline SVG: it writes elements with escaped text and finite
/// coordinates, so no chart can emit markup that breaks the page.
package struct SVGCanvas {
    package let width: Double
    package let height: Double
    private var body: [String] = []

    package init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    private static func c(_ value: Double) -> String { ReportFormat.coordinate(value) }

    /// Extra attributes as ` name="value"` pairs, values escaped.
    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\($0.1.htmlEscaped)\"" }.joined()
    }

    /// Appends raw, already-safe markup (used for `<defs>` and nested groups).
    package mutating func raw(_ markup: String) {
        self.body.append(markup)
    }

    package mutating func line(
        x1: Double,
        y1: Double,
        x2: Double,
        y2: Double,
        stroke: String,
        width: Double = 1,
        dash: String? = nil,
        className: String? = nil
    ) {
        var extra: [(String, String)] = [("stroke", stroke), ("stroke-width", Self.c(width))]
        if let dash { extra.append(("stroke-dasharray", dash)) }
        if let className { extra.append(("class", className)) }
        self.body.append(
            "<line x1=\"\(Self.c(x1))\" y1=\"\(Self.c(y1))\" x2=\"\(Self.c(x2))\" y2=\"\(Self.c(y2))\"\(Self.attributes(extra))/>"
        )
    }

    /// A rectangle; `tooltip` becomes a `<title>` child that browsers show on hover.
    package mutating func rect(
        x: Double,
        y: Double,
        width: Double,
        height: Double,
        fill: String,
        stroke: String? = nil,
        strokeWidth: Double = 1,
        radius: Double = 0,
        tooltip: String? = nil
    ) {
        var extra: [(String, String)] = [("fill", fill)]
        if let stroke { extra += [("stroke", stroke), ("stroke-width", Self.c(strokeWidth))] }
        if radius > 0 { extra.append(("rx", Self.c(radius))) }
        let open =
            "<rect x=\"\(Self.c(x))\" y=\"\(Self.c(y))\" width=\"\(Self.c(max(0, width)))\" height=\"\(Self.c(max(0, height)))\"\(Self.attributes(extra))"
        if let tooltip {
            self.body.append("\(open)><title>\(tooltip.htmlEscaped)</title></rect>")
        } else {
            self.body.append("\(open)/>")
        }
    }

    package mutating func circle(
        cx: Double,
        cy: Double,
        r: Double,
        fill: String,
        stroke: String? = nil,
        tooltip: String? = nil
    ) {
        var extra: [(String, String)] = [("fill", fill)]
        if let stroke { extra += [("stroke", stroke), ("stroke-width", "1.5")] }
        let open = "<circle cx=\"\(Self.c(cx))\" cy=\"\(Self.c(cy))\" r=\"\(Self.c(r))\"\(Self.attributes(extra))"
        if let tooltip {
            self.body.append("\(open)><title>\(tooltip.htmlEscaped)</title></circle>")
        } else {
            self.body.append("\(open)/>")
        }
    }

    /// A polyline through `points`, as one path.
    package mutating func polyline(
        _ points: [(x: Double, y: Double)],
        stroke: String,
        width: Double = 2,
        dash: String? = nil
    ) {
        guard let first = points.first else { return }
        var d = "M\(Self.c(first.x)) \(Self.c(first.y))"
        for point in points.dropFirst() { d += " L\(Self.c(point.x)) \(Self.c(point.y))" }
        var extra: [(String, String)] = [
            ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.c(width)),
            ("stroke-linejoin", "round"), ("stroke-linecap", "round"),
        ]
        if let dash { extra.append(("stroke-dasharray", dash)) }
        self.body.append("<path d=\"\(d)\"\(Self.attributes(extra))/>")
    }

    /// Text at (x, y); `anchor` is start, middle or end; `rotate` turns it about (x, y).
    package mutating func text(
        _ content: String,
        x: Double,
        y: Double,
        anchor: String = "start",
        size: Double = 12,
        fill: String = ReportStyle.ink,
        weight: String? = nil,
        rotate: Double? = nil,
        baseline: String? = nil,
        className: String? = nil,
        tooltip: String? = nil
    ) {
        var extra: [(String, String)] = [("font-size", Self.c(size)), ("fill", fill)]
        if anchor != "start" { extra.append(("text-anchor", anchor)) }
        if let weight { extra.append(("font-weight", weight)) }
        if let baseline { extra.append(("dominant-baseline", baseline)) }
        if let rotate { extra.append(("transform", "rotate(\(Self.c(rotate)) \(Self.c(x)) \(Self.c(y)))")) }
        if let className { extra.append(("class", className)) }
        let title = tooltip.map { "<title>\($0.htmlEscaped)</title>" } ?? ""
        self.body.append(
            "<text x=\"\(Self.c(x))\" y=\"\(Self.c(y))\"\(Self.attributes(extra))>\(title)\(content.htmlEscaped)</text>"
        )
    }

    /// The finished `<svg>`: sized by its viewBox so it scales, with a `<title>` and
    /// `<desc>` for screen readers and `role="img"` naming them.
    package func render(title: String, description: String, id: String) -> String {
        let w = Self.c(self.width)
        let h = Self.c(self.height)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(w) \(h)" width="\(w)" height="\(h)" \
            role="img" aria-labelledby="\(id)-title \(id)-desc" class="chart" id="\(id)">\
            <title id="\(id)-title">\(title.htmlEscaped)</title>\
            <desc id="\(id)-desc">\(description.htmlEscaped)</desc>
            \(self.body.joined(separator: "\n"))
            </svg>
            """
    }

    /// A rough width of `text` in pixels at `size`, for laying out labels without a font.
    package static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }
}
