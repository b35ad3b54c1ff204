/// One of a site's training images as that site's scanner rendered it, shown in the report
/// so a reader sees what each site's data looks like (contrast, brightness, noise).
///
/// The image is a PNG inside a `data:image/png;base64,…` URI, so the summary and the report
/// stay single files; FedReport only carries the text and never decodes it.
package struct ExampleImage: Codable, Sendable, Equatable {
    /// The prefix every `dataURI` the report draws must start with.
    package static let pngPrefix = "data:image/png;base64,"

    /// The image's true class.
    package var className: String
    /// `data:image/png;base64,` followed by the PNG's bytes in base64.
    package var dataURI: String
    /// Size in pixels, so the page can lay out the image before decoding it.
    package var width: Int
    package var height: Int

    package init(className: String, dataURI: String, width: Int, height: Int) {
        self.className = className
        self.dataURI = dataURI
        self.width = width
        self.height = height
    }

    /// Whether `dataURI` is a base64 PNG data URI and nothing else (no quote, space or
    /// other scheme could reach the page's markup from a hand-edited summary).
    package var isPNGDataURI: Bool {
        guard self.dataURI.hasPrefix(Self.pngPrefix) else { return false }
        let payload = self.dataURI.utf8.dropFirst(Self.pngPrefix.utf8.count)
        return !payload.isEmpty
            && payload.allSatisfy { byte in
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2B || byte == 0x2F || byte == 0x3D
            }
    }
}
