import Foundation

/// Reading and writing `summary.json`.
///
/// A diverging run can produce NaN or infinite losses, which plain JSON cannot hold and
/// `JSONEncoder` would refuse; they are written as the strings "NaN", "Infinity" and
/// "-Infinity" so the summary of a failed run is still saved, and read back the same way.
extension RunSummary {
    private static let nonFinite = (positive: "Infinity", negative: "-Infinity", nan: "NaN")

    /// The summary as pretty-printed UTF-8 JSON, keys in declaration order.
    package func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: Self.nonFinite.positive,
            negativeInfinity: Self.nonFinite.negative,
            nan: Self.nonFinite.nan
        )
        return try encoder.encode(self)
    }

    /// Reads a summary written by `jsonData()` (or by hand).
    package static func decode(from data: Data) throws -> RunSummary {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: Self.nonFinite.positive,
            negativeInfinity: Self.nonFinite.negative,
            nan: Self.nonFinite.nan
        )
        return try decoder.decode(RunSummary.self, from: data)
    }
}
