/// A row of example images per site, each as the site's scanner rendered it, with the site
/// and the true class under it, so differences between sites' data show at a glance.
package enum ExampleGallery {
    /// The gallery; empty text when no site carries example images. An image whose text is
    /// not a base64 PNG data URI is left out, so a hand-edited summary cannot put markup
    /// or a link to fetch into the page.
    package static func html(sites: [SiteSummary]) -> String {
        let rows: [String] = sites.compactMap { site in
            let images = (site.examples ?? []).filter(\.isPNGDataURI)
            guard !images.isEmpty else { return nil }
            let name = site.name.htmlEscaped
            let cells = images.map { image in
                let className = image.className.htmlEscaped
                return """
                    <div class="example"><img class="example" src="\(image.dataURI)" \
                    width="\(max(1, image.width))" height="\(max(1, image.height))" \
                    alt="\(className) image from \(name)"/>\
                    <div class="cap"><span class="site-name">\(name)</span>\
                    <span class="class">\(className)</span></div></div>
                    """
            }
            return """
                <div class="example-row"><h3 title="\(name)">\(name)</h3>\
                <div class="example-images">\(cells.joined())</div></div>
                """
        }
        guard !rows.isEmpty else { return "" }
        return "<div class=\"gallery\">\n\(rows.joined(separator: "\n"))\n</div>"
    }
}
