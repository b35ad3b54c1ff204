import FedTensor
import Foundation
import Testing

@testable import FedData

struct CSVTableTests {
    @Test func quotedFieldsMayHoldCommasQuotesAndNewlines() throws {
        let text = "name,\"note, with comma\",label\n\"a \"\"b\"\"\",\"line1\nline2\",x\nplain,2,y\n"

        let table = try CSVTable.parse(text, path: "t.csv")

        #expect(table.header == ["name", "note, with comma", "label"])
        #expect(table.records.map(\.fields) == [["a \"b\"", "line1\nline2", "x"], ["plain", "2", "y"]])
        // The second record starts on line 4: the quoted newline took a line of its own.
        #expect(table.records.map(\.line) == [2, 4])
    }

    @Test func wrongFieldCountNamesFileAndLine() {
        #expect(throws: DataError.wrongColumnCount(path: "t.csv", line: 3, expected: 3, found: 2)) {
            try CSVTable.parse("a,b,label\n1,2,x\n3,y\n", path: "t.csv")
        }
    }

    @Test func nonNumericFeatureNamesLineAndColumn() throws {
        let table = try CSVTable.parse("a,b,label\n1,2,x\n3,oops,y\n", path: "t.csv")

        #expect(throws: DataError.notNumeric(path: "t.csv", line: 3, column: "b", value: "oops")) {
            try Dataset(table: table, labelColumn: "label")
        }
    }

    @Test func emptyLabelNamesLineAndColumn() throws {
        let table = try CSVTable.parse("a,label\n1,x\n2,\n", path: "t.csv")

        #expect(throws: DataError.emptyLabel(path: "t.csv", line: 3, column: "label")) {
            try Dataset(table: table, labelColumn: "label")
        }
    }

    @Test func missingLabelColumnListsTheColumnsThereAre() throws {
        let table = try CSVTable.parse("a,b\n1,2\n", path: "t.csv")

        let error = #expect(throws: DataError.self) { try Dataset(table: table, labelColumn: "target") }

        #expect("\(error!)" == "t.csv:1: no column named 'target' (columns: a, b)")
    }

    @Test func classesAreOrderedNumericallyWhenLabelsAreNumbers() throws {
        let table = try CSVTable.parse("a,label\n1,10\n2,9\n3,2\n4,9\n", path: "t.csv")

        let data = try Dataset(table: table, labelColumn: "label")

        #expect(data.classNames == ["2", "9", "10"])
        #expect(data.labels == [2, 1, 0, 1])
        #expect(data.features.scalars == [1, 2, 3, 4])
    }

    @Test func labelsOutsideAModelsClassesAreRefusedWithTheirLine() throws {
        let table = try CSVTable.parse("a,label\n1,cat\n2,cow\n", path: "t.csv")

        #expect(throws: DataError.unknownLabel(path: "t.csv", line: 3, label: "cow", known: ["cat", "dog"])) {
            try Dataset(table: table, labelColumn: "label", classNames: ["cat", "dog"])
        }
    }

    @Test func readingAMissingFileSaysSo() {
        #expect(throws: DataError.unreadable(path: "/nonexistent/x.csv", reason: "no such file")) {
            try CSVTable.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.csv"))
        }
    }
}
