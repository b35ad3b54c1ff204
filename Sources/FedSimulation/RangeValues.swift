import FedData
import Foundation

/// The raw numbers `partition: ranges` cuts the data by: every row's value of the range
/// column (time) and, with `mix`, of the mix column (amount), read from the data file before
/// any example is built, so the columns need not be features.
struct RangeValues {
    var values: [Double]
    var mix: [Double]?

    /// Reads `column` (and `mix`) as numbers from every record of `table`.
    /// - Throws: `DataError.missingColumn` or `DataError.notNumeric` naming the file, line,
    ///   column and value.
    init(_ table: CSVTable, column: String, mix: String?) throws {
        func numbers(_ name: String) throws -> [Double] {
            let index = try table.column(named: name)
            return try table.records.map { record in
                let text = record.fields[index].trimmingCharacters(in: .whitespaces)
                guard let value = Double(text), value.isFinite else {
                    throw DataError.notNumeric(path: table.path, line: record.line, column: name, value: text)
                }
                return value
            }
        }
        self.values = try numbers(column)
        self.mix = try mix.map(numbers)
    }

    /// Each site's positions in `pool` (indices into the rows): the pool cut by the range
    /// column into `scenario.sites` periods, mixed by the mix column's bands when asked.
    func split(_ pool: [Int], scenario: Scenario, mix: RangeMix?) throws -> [[Int]] {
        let mixed: (values: [Double], share: Double)? =
            if let mix, let values = self.mix { (pool.map { values[$0] }, mix.share) } else { nil }
        do {
            return try Partitioner.split(
                byRanges: pool.map { self.values[$0] },
                sites: scenario.sites,
                mix: mixed,
                seed: scenario.seed &+ 303
            )
        } catch {
            throw ScenarioError.invalid(
                path: scenario.name,
                detail: "cannot partition \(pool.count) examples: \(error)"
            )
        }
    }
}
