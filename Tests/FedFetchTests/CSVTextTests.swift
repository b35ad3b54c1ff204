import FedFetch
import Foundation
import Testing

/// CSV written by `CSVText` reads back field for field with yaslab/CSV.swift.
struct CSVTextTests {
    @Test func awkwardFieldsRoundTrip() throws {
        try withTemporaryFolder { folder in
            let rows = [
                ["plain", "a"],
                ["comma, inside", "b"],
                ["quote \"here\" and \"\"two\"\"", "c"],
                ["line one\nline two\n\nline four", "d"],
                ["carriage\r\nreturn and lone\rcr", "e"],
                ["", "f"],
                ["  spaces kept  ", "g"],
                ["latin-1 bytes: \u{85}\u{99}£ and emoji 🚗", "h"],
            ]
            let url = folder.appendingPathComponent("t.csv")

            try CSVText.write(header: ["text", "label"], rows: rows, to: url)
            let table = try CSVText.read(contentsOf: url)

            #expect(table.header == ["text", "label"])
            #expect(table.rows == rows)
        }
    }

    @Test func onlyFieldsThatNeedItAreQuoted() {
        #expect(CSVText.field("mean radius") == "mean radius")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"x\"") == "\"say \"\"x\"\"\"")
        #expect(CSVText.field("a\nb") == "\"a\nb\"")
        #expect(CSVText.text(header: ["x", "label"], rows: [["1.5", "benign"]]) == "x,label\n1.5,benign\n")
    }
}
