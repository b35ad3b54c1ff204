import Foundation
import Testing

@testable import FedText

/// Every code point through the port's normaliser, pre-tokeniser classes and NFD, against
/// what Rust's `tokenizers` does with it (tokenizer_unicode_table.json, written by
/// scripts/fixtures/make_tokenizer_cases.py). This is what pins `RustUnicodeTables`: Swift's
/// Unicode tables are newer than the Rust crates', and a toolchain update that moves a
/// category shows up here.
@Suite struct UnicodeTableTests {
    struct Mapping: Decodable {
        let codePoint: UInt32
        let output: [UInt32]

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            self.codePoint = try container.decode(UInt32.self)
            self.output = try container.decode([UInt32].self)
        }
    }

    struct NormalizerTable: Decodable {
        let removed: [[UInt32]]
        let space: [[UInt32]]
        let cjk: [[UInt32]]
        let mapped: [Mapping]
    }

    struct PreTokenizerTable: Decodable {
        let whitespace: [[UInt32]]
        let punctuation: [[UInt32]]
    }

    struct Table: Decodable {
        let uncased: NormalizerTable
        let cased: NormalizerTable
        let pretokenizer: PreTokenizerTable
        let nfdClassAbove1: [[UInt32]]

        enum CodingKeys: String, CodingKey {
            case uncased, cased, pretokenizer
            case nfdClassAbove1 = "nfd_class_above_1"
        }
    }

    static func table() throws -> Table {
        try TokenizerFixtures.decode(Table.self, from: "tokenizer_unicode_table.json")
    }

    /// Every Unicode scalar value (code points without the surrogates).
    static let allScalars: [Unicode.Scalar] = (0...UInt32(0x10FFFF)).compactMap(Unicode.Scalar.init)

    static func contains(_ ranges: [[UInt32]], _ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle][1] < value { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low][0] <= value
    }

    static func hex(_ values: some Sequence<UInt32>) -> String {
        values.map { "U+" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
    }

    /// Hangul syllable → conjoining jamo (the table lists only a sample of these).
    static func hangulJamo(_ value: UInt32) -> [UInt32] {
        let index = value - 0xAC00
        let (lead, vowel, trail) = (index / 588, (index % 588) / 28, index % 28)
        return [0x1100 + lead, 0x1161 + vowel] + (trail == 0 ? [] : [0x11A7 + trail])
    }

    @Test(arguments: [true, false])
    func everyCodePointNormalizesAsInRust(lowercase: Bool) throws {
        let table = try Self.table()
        let reference = lowercase ? table.uncased : table.cased
        let mapped = Dictionary(uniqueKeysWithValues: reference.mapped.map { ($0.codePoint, $0.output) })
        func expected(_ value: UInt32) -> [UInt32] {
            if Self.contains(reference.removed, value) { return [] }
            if Self.contains(reference.space, value) { return [0x20] }
            if Self.contains(reference.cjk, value) { return [0x20, value, 0x20] }
            if let output = mapped[value] { return output }
            if lowercase && (0xAC00...0xD7A3).contains(value) { return Self.hangulJamo(value) }
            return [value]
        }
        // Thousands of code points per call, separated by '|', which no step changes and
        // which is a starter, so that no code point affects its neighbours.
        let separator: Unicode.Scalar = "|"
        let normalizer = TextNormalizer(lowercase: lowercase)
        var scratch: [Unicode.Scalar] = []
        var mismatches: [String] = []
        let scalars = Self.allScalars.filter { $0 != separator }
        var start = 0
        while start < scalars.count {
            let batch = scalars[start..<min(start + 4096, scalars.count)]
            var input: [Unicode.Scalar] = []
            for scalar in batch { input += [scalar, separator] }
            var output: [Unicode.Scalar] = []
            normalizer.normalize(input, into: &output, scratch: &scratch)
            let pieces = output.split(separator: separator, omittingEmptySubsequences: false).dropLast()
            try #require(pieces.count == batch.count, "batch at U+\(String(batch.first!.value, radix: 16))")
            for (scalar, piece) in zip(batch, pieces) where piece.map(\.value) != expected(scalar.value) {
                mismatches.append(
                    "\(Self.hex([scalar.value])): Rust \(Self.hex(expected(scalar.value))), Swift \(Self.hex(piece.map(\.value)))"
                )
            }
            start += batch.count
        }
        var alone: [Unicode.Scalar] = []
        normalizer.normalize([separator], into: &alone, scratch: &scratch)
        #expect(alone == [separator])
        #expect(
            mismatches.isEmpty,
            "\(mismatches.count) code points differ: \(mismatches.prefix(20).joined(separator: "; "))"
        )
    }

    @Test func everyCodePointIsWhitespacePunctuationOrWordAsInRust() throws {
        let table = try Self.table().pretokenizer
        // "a c b " for every code point c, pre-tokenised in one call.
        var input: [Unicode.Scalar] = []
        var expected: [Range<Int>] = []
        input.reserveCapacity(Self.allScalars.count * 4)
        for scalar in Self.allScalars {
            let start = input.count
            input += ["a", scalar, "b", " "]
            if Self.contains(table.whitespace, scalar.value) {
                expected += [start..<(start + 1), (start + 2)..<(start + 3)]
            } else if Self.contains(table.punctuation, scalar.value) {
                expected += [start..<(start + 1), (start + 1)..<(start + 2), (start + 2)..<(start + 3)]
            } else {
                expected.append(start..<(start + 3))
            }
        }
        var words: [Range<Int>] = []
        PreTokenizer.split(input, into: &words)
        if words != expected {
            let firstDifference =
                zip(words, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(words.count, expected.count)
            let at = min(
                words.indices.contains(firstDifference) ? words[firstDifference].lowerBound : input.count - 1,
                expected.indices.contains(firstDifference) ? expected[firstDifference].lowerBound : input.count - 1
            )
            Issue.record("first difference near \(Self.hex([input[at / 4 * 4 + 1].value]))")
        }
    }

    @Test func combiningClassesUsedByNFDAreRusts() throws {
        let reorders = try Self.table().nfdClassAbove1
        let overlay: Unicode.Scalar = "\u{334}"
        var mismatches: [String] = []
        for scalar in Self.allScalars where scalar != overlay {
            let inRust = Self.contains(reorders, scalar.value)
            guard inRust || scalar.properties.canonicalCombiningClass.rawValue > 1 else { continue }
            var alone: [Unicode.Scalar] = []
            CanonicalDecomposition.append([scalar], to: &alone)
            var sequence: [Unicode.Scalar] = []
            CanonicalDecomposition.append(["a", scalar, overlay], to: &sequence)
            let reordered = sequence == ["a", overlay] + alone
            if reordered != inRust {
                mismatches.append("\(Self.hex([scalar.value])) (Rust \(inRust ? "reorders" : "keeps order"))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ: \(mismatches.prefix(20).joined(separator: ", "))")
    }
}
