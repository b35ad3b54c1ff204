import Foundation

/// `digits`: the UCI optical handwritten digits bundled in scikit-learn (1,797 images of
/// 8×8 pixels, values 0–16), as `pixel_0,…,pixel_63,label` with label 0–9.
enum Digits {
    static let member = "sklearn/datasets/data/digits.csv.gz"
    static let fileName = "digits.csv"
    /// `pixel_k` is sklearn's `pixel_{k / 8}_{k % 8}` (row-major).
    static let featureNames = (0..<64).map { "pixel_\($0)" }

    /// sklearn's gzip'd file has no header: each line is 64 pixel values then the digit.
    static func convert(source: URL, output: URL) throws -> [String] {
        let url = source.appendingPathComponent(self.member)
        guard let compressed = FileManager.default.contents(atPath: url.path) else {
            throw FetchError.io(path: url.path, reason: "cannot read")
        }
        let text = String(decoding: try Gzip.decompress(compressed, path: url.path), as: UTF8.self)
        let lines = NumericCSV.nonBlankLines(text)
        let rows = try NumericCSV.rows(
            lines[...],
            path: url.path,
            firstLine: 1,
            features: 64,
            classNames: (0...9).map(String.init)
        )
        try CSVText.write(
            header: self.featureNames + ["label"],
            rows: rows,
            to: output.appendingPathComponent(self.fileName)
        )
        return [self.fileName]
    }
}
