import Foundation

/// `amazon-reviews`: the human-rated Amazon review sentences of Hutto & Gilbert (VADER, ICWSM
/// 2014), from Hu & Liu's (KDD 2004) reviews of five products, as
/// `text,label,rating,product,review`. Sentences whose mean rating is nearer neutral than
/// half a scale point are left out; the rest are positive or negative by the rating's sign.
///
/// The sentences sit in a second archive inside vaderSentiment's sdist
/// (`additional_resources/hutto_ICWSM_2014.tar.gz`), which is unpacked like the first.
enum AmazonReviews {
    static let member = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
    static let innerMember = "hutto_ICWSM_2014/amazonReviewSnippets_GroundTruth.txt"
    static let fileName = "amazon-reviews.csv"
    static let header = ["text", "label", "rating", "product", "review"]
    /// Ratings are means of raters' integers from −4 to 4; a sentence is kept when its mean
    /// rounds to a non-zero scale point, i.e. `|mean| ≥ 0.5`.
    static let neutralBelow = 0.5

    /// The product of each review: the file numbers reviews 1…309 product by product, in the
    /// order below (each entry gives the first review of its product). The seams were read off
    /// the pinned file (docs/DATASETS.md, "How `product` is recovered").
    static let products: [(firstReview: Int, name: String)] = [
        (1, "apex-dvd-player"), (99, "canon-g3"), (143, "nikon-coolpix-4300"), (176, "nokia-6610"),
        (216, "creative-zen-xtra"),
    ]
    static let lastReview = 309

    /// One sentence of the ground-truth file.
    struct Sentence: Equatable {
        var review: Int
        var sentence: Int
        /// The rating as written, e.g. `-0.15` (kept verbatim in the CSV).
        var rating: String
        var text: String

        var meanRating: Double { Double(self.rating) ?? 0 }
    }

    static func convert(source: URL, output: URL) throws -> [String] {
        let inner = source.appendingPathComponent(self.member)
        let unpacked = source.appendingPathComponent("inner", isDirectory: true)
        try ArchiveExtractor.extract(inner, members: [self.innerMember], to: unpacked)
        let url = unpacked.appendingPathComponent(self.innerMember)
        let sentences = try self.read(url)
        let rows = try sentences.filter { abs($0.meanRating) >= self.neutralBelow }.map { sentence in
            [
                sentence.text, sentence.meanRating > 0 ? "positive" : "negative", sentence.rating,
                try self.product(ofReview: sentence.review, path: url.path), String(sentence.review),
            ]
        }
        try CSVText.write(header: self.header, rows: rows, to: output.appendingPathComponent(self.fileName))
        return [self.fileName]
    }

    /// Every sentence of a `ID<TAB>MEAN<TAB>TEXT` file (CRLF or LF lines, UTF-8, optional
    /// byte-order mark), in the file's order; IDs are `review_sentence`. Text is trimmed of
    /// surrounding spaces and otherwise kept as it is (HTML entities such as `&amp;` included).
    static func read(_ url: URL) throws -> [Sentence] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FetchError.io(path: url.path, reason: "cannot read")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw FetchError.unexpectedContent(path: url.path, detail: "not UTF-8 text")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var sentences: [Sentence] = []
        var seen: Set<String> = []
        // "\r\n" is one Character in Swift, so splitting on newlines takes CRLF and LF alike.
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        where !line.isEmpty {
            let number = index + 1
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else {
                throw FetchError.unexpectedContent(
                    path: url.path,
                    detail: "line \(number) has \(fields.count) tab-separated fields, expected 3 (id, rating, text)"
                )
            }
            let id = fields[0].split(separator: "_", omittingEmptySubsequences: false)
            guard id.count == 2, let review = Int(id[0]), let sentence = Int(id[1]), review > 0, sentence > 0 else {
                throw FetchError.unexpectedContent(
                    path: url.path,
                    detail: "line \(number): id '\(fields[0])' is not review_sentence (e.g. 1_19)"
                )
            }
            guard seen.insert(fields[0]).inserted else {
                throw FetchError.unexpectedContent(path: url.path, detail: "line \(number): id '\(fields[0])' repeats")
            }
            guard let rating = Double(fields[1]), (-4...4).contains(rating) else {
                throw FetchError.unexpectedContent(
                    path: url.path,
                    detail: "line \(number): rating '\(fields[1])' is not a number from -4 to 4"
                )
            }
            let body = fields[2].trimmingCharacters(in: .whitespaces)
            guard !body.isEmpty else {
                throw FetchError.unexpectedContent(path: url.path, detail: "line \(number): the sentence is empty")
            }
            sentences.append(Sentence(review: review, sentence: sentence, rating: fields[1], text: body))
        }
        guard !sentences.isEmpty else {
            throw FetchError.unexpectedContent(path: url.path, detail: "holds no sentences")
        }
        return sentences
    }

    /// The product whose range holds `review`.
    static func product(ofReview review: Int, path: String) throws -> String {
        guard review <= self.lastReview, let entry = self.products.last(where: { $0.firstReview <= review }) else {
            throw FetchError.unexpectedContent(
                path: path,
                detail: "review \(review) is outside 1…\(self.lastReview), the reviews whose product is known"
            )
        }
        return entry.name
    }
}
