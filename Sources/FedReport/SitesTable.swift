/// One row per site: its data, and the site-alone and global models' accuracy on its own
/// test data, with the change federation brought; the worst site's row is marked.
package enum SitesTable {
    /// The `<table>`; empty text when the summary has no sites.
    package static func html(sites: [SiteSummary], classCount: Int, worst: Int?) -> String {
        guard !sites.isEmpty else { return "" }
        let showClasses = sites.contains { $0.classCounts != nil }
        var rows: [String] = []
        for (index, site) in sites.enumerated() {
            let delta: Double? = site.globalAccuracy.flatMap { g in site.aloneAccuracy.map { g - $0 } }
            let tone = delta.map { $0.isFinite && $0 < 0 ? " worse" : "" } ?? ""
            let mark = index == worst ? " <span class=\"worst-mark\">worst</span>" : ""
            var cells = [
                "<th scope=\"row\" title=\"\(site.name.htmlEscaped)\"><span class=\"site-name\">\(site.name.htmlEscaped)</span>\(mark)</th>",
                "<td class=\"num\">\(ReportFormat.integer(site.trainExamples))</td>",
                "<td class=\"num\">\(ReportFormat.integer(site.testExamples))</td>",
            ]
            if showClasses {
                let present = site.classCounts.map { counts in counts.filter { $0 > 0 }.count }
                let total = max(classCount, site.classCounts?.count ?? 0)
                cells.append("<td class=\"num\">\(present.map { "\($0) of \(total)" } ?? ReportFormat.missing)</td>")
            }
            cells += [
                "<td class=\"num\">\(ReportFormat.decimal(site.aloneAccuracy))</td>",
                "<td class=\"num\">\(ReportFormat.decimal(site.globalAccuracy))</td>",
                "<td class=\"num delta\(tone)\">\(ReportFormat.signed(delta))</td>",
            ]
            rows.append("<tr\(index == worst ? " class=\"worst\"" : "")>\(cells.joined())</tr>")
        }
        let classes = showClasses ? "<th scope=\"col\" class=\"num\">Classes held</th>" : ""
        return """
            <table class="data sites">
            <thead><tr><th scope="col">Site</th><th scope="col" class="num">Train</th>\
            <th scope="col" class="num">Test</th>\(classes)<th scope="col" class="num">Site alone</th>\
            <th scope="col" class="num">Global model</th><th scope="col" class="num">Δ</th></tr></thead>
            <tbody>
            \(rows.joined(separator: "\n"))
            </tbody>
            </table>
            """
    }

    /// The index of the site the global model serves worst: lowest global accuracy,
    /// else lowest site-alone accuracy; nil when no site has either.
    package static func worstSite(_ sites: [SiteSummary]) -> Int? {
        let global = sites.indices.compactMap { i in sites[i].globalAccuracy.flatMap { $0.isFinite ? (i, $0) : nil } }
        if let worst = global.min(by: { $0.1 < $1.1 }) { return worst.0 }
        let alone = sites.indices.compactMap { i in sites[i].aloneAccuracy.flatMap { $0.isFinite ? (i, $0) : nil } }
        return alone.min(by: { $0.1 < $1.1 })?.0
    }
}
