import FedSupport
import Foundation

/// A setting a sweep may vary, named as the space file names it, with the scenario key it
/// replaces.
package enum SweepKey: String, CaseIterable, Sendable, Codable, Comparable {
    case learningRate = "learning_rate"
    case localEpochs = "local_epochs"
    case batchSize = "batch_size"
    case proximalMu = "proximal_mu"
    case serverLearningRate = "server_learning_rate"
    case clipNorm = "clip_norm"

    /// Whether the setting takes whole numbers only.
    package var isInteger: Bool { self == .localEpochs || self == .batchSize }

    /// The scenario file's section and key this setting replaces.
    package var scenarioPath: (section: String, key: String) {
        switch self {
        case .learningRate: ("local", "learning_rate")
        case .localEpochs: ("local", "epochs")
        case .batchSize: ("local", "batch_size")
        case .proximalMu: ("local", "proximal_mu")
        case .serverLearningRate: ("strategy", "server_learning_rate")
        case .clipNorm: ("strategy", "clip_norm")
        }
    }

    /// The smallest value the scenario accepts (μ may be 0, nothing else may).
    var minimum: Double { self.isInteger ? 1 : self == .proximalMu ? 0 : .leastNonzeroMagnitude }

    package static func < (lhs: Self, rhs: Self) -> Bool {
        Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
    }
}

/// Where one setting's values are drawn from.
package enum SearchDistribution: Sendable, Equatable {
    /// Any number in low...high, uniform or (log) log-uniform.
    case real(low: Double, high: Double, log: Bool)
    /// Whole numbers in low...high, uniform or (log) log-uniform.
    case integer(low: Int, high: Int, log: Bool)
    /// One of a few values.
    case choice([Double])
}

/// One setting and its distribution.
package struct SearchParameter: Sendable, Equatable {
    package var key: SweepKey
    package var distribution: SearchDistribution

    package init(_ key: SweepKey, _ distribution: SearchDistribution) {
        self.key = key
        self.distribution = distribution
    }
}

/// The settings a sweep searches, as a YAML file states them:
///
///     learning_rate: {low: 0.0003, high: 0.03, log: true}
///     local_epochs: {low: 1, high: 4}
///     batch_size: {choices: [16, 32, 64]}
///     proximal_mu: {choices: [0, 0.01, 0.1]}
///
/// Parameters are kept in `SweepKey`'s order, whatever the file's order, so a sampler's
/// draws do not depend on how the file was written.
package struct SearchSpace: Sendable, Equatable {
    package var parameters: [SearchParameter]

    package init(_ parameters: [SearchParameter]) {
        self.parameters = parameters.sorted { $0.key < $1.key }
    }

    /// The keys a space file may hold.
    static let shape = YAMLShape.mapping(
        Dictionary(
            uniqueKeysWithValues: SweepKey.allCases.map { ($0.rawValue, .values(["low", "high", "log", "choices"])) }
        )
    )

    /// One entry of the file as written.
    private struct Entry: Decodable {
        var low: Double?
        var high: Double?
        var log: Bool?
        var choices: [Double]?
    }

    /// Reads and checks a space file.
    package static func load(_ url: URL) throws(SweepError) -> SearchSpace {
        let document: YAMLDocument
        do throws(YAMLProblem) {
            document = try YAMLDocument(contentsOf: url)
        } catch {
            throw .space(path: error.path, detail: error.message)
        }
        return try Self.read(document)
    }

    /// Reads and checks a space given as text; `path` names it in errors.
    package static func parse(_ text: String, path: String) throws(SweepError) -> SearchSpace {
        let document: YAMLDocument
        do throws(YAMLProblem) {
            document = try YAMLDocument(text: text, path: path)
        } catch {
            throw .space(path: error.path, detail: error.message)
        }
        return try Self.read(document)
    }

    private static func read(_ document: YAMLDocument) throws(SweepError) -> SearchSpace {
        guard !document.text.split(whereSeparator: \.isNewline).allSatisfy({ Self.isBlank($0) }) else {
            throw .space(path: document.path, detail: "names no setting to search (known: \(Self.knownKeys))")
        }
        let entries: [String: Entry]
        do throws(YAMLProblem) {
            try document.check(Self.shape)
            entries = try document.decode([String: Entry].self)
        } catch {
            throw .space(path: error.path, detail: error.message)
        }
        guard !entries.isEmpty else {
            throw .space(path: document.path, detail: "names no setting to search (known: \(Self.knownKeys))")
        }
        var parameters: [SearchParameter] = []
        for (name, entry) in entries {
            // The shape check has refused every other key.
            let key = SweepKey(rawValue: name)!
            parameters.append(try Self.parameter(key, entry, document: document))
        }
        return SearchSpace(parameters)
    }

    private static var knownKeys: String { SweepKey.allCases.map(\.rawValue).joined(separator: ", ") }

    private static func isBlank(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        return trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed == "---"
    }

    /// Checks one entry: a list of choices, or a range that is neither empty nor inverted,
    /// above 0 on a log scale, whole for whole-number settings, and within what the scenario accepts.
    private static func parameter(
        _ key: SweepKey,
        _ entry: Entry,
        document: YAMLDocument
    ) throws(SweepError)
        -> SearchParameter
    {
        let name = key.rawValue
        func refuse(_ field: String?, _ detail: String) -> SweepError {
            let place = document.place(of: field.map { [name, $0] } ?? [name])
            return .space(path: document.path, detail: place + "'\(name)': " + detail)
        }
        func format(_ value: Double) -> String { Self.format(value) }
        if let choices = entry.choices {
            guard entry.low == nil, entry.high == nil, entry.log == nil else {
                throw refuse(nil, "give either choices or a range (low, high, log), not both")
            }
            guard !choices.isEmpty else { throw refuse("choices", "the list of choices is empty") }
            for value in choices {
                guard value.isFinite, value >= key.minimum else {
                    throw refuse(
                        "choices",
                        "choice \(format(value)) is below the smallest allowed, \(Self.lowest(key))"
                    )
                }
                guard !key.isInteger || value == value.rounded() else {
                    throw refuse("choices", "choice \(format(value)) is not a whole number")
                }
            }
            guard Set(choices).count == choices.count else { throw refuse("choices", "a choice is listed twice") }
            return SearchParameter(key, .choice(choices))
        }
        guard let low = entry.low, let high = entry.high else {
            throw refuse(nil, "give low and high (and log: true for a log scale), or choices")
        }
        let log = entry.log ?? false
        guard low.isFinite, high.isFinite else { throw refuse("low", "low and high must be finite numbers") }
        guard low < high else {
            let what = low == high ? "an empty range" : "an inverted range"
            throw refuse("high", "low \(format(low)) and high \(format(high)) make \(what); low must be below high")
        }
        guard !log || low > 0 else {
            throw refuse("low", "low \(format(low)) is not above 0, which a log scale needs")
        }
        guard low >= key.minimum else {
            throw refuse("low", "low \(format(low)) is below the smallest allowed, \(Self.lowest(key))")
        }
        if key.isInteger {
            guard low == low.rounded(), high == high.rounded() else {
                throw refuse("low", "low \(format(low)) and high \(format(high)) must be whole numbers")
            }
            return SearchParameter(key, .integer(low: Int(low), high: Int(high), log: log))
        }
        return SearchParameter(key, .real(low: low, high: high, log: log))
    }

    private static func lowest(_ key: SweepKey) -> String {
        key.isInteger ? "1" : key == .proximalMu ? "0" : "a number above 0"
    }

    /// A value as the space file and scenario files write it: whole numbers without a point.
    package static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        let short = String(format: "%.6g", value)
        guard short.contains("e") else { return short }
        // YAML 1.1 reads 1e-05 as text: write small numbers out in full (6 significant digits).
        let digits = max(0, 5 - Int(log10(abs(value)).rounded(.down)))
        var long = String(format: "%.\(digits)f", value)
        while long.hasSuffix("0") { long.removeLast() }
        return long
    }
}
