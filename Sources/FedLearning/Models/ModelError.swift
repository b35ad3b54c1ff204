/// Names, at once, every way a set of tensors disagrees with what a model expects.
package struct TensorMismatch: Sendable, Equatable, CustomStringConvertible {
    package struct Shape: Sendable, Equatable {
        package var name: String
        package var expected: [Int]
        package var found: [Int]
    }

    /// The file or message the tensors came from.
    package var source: String
    package var missing: [String] = []
    package var unexpected: [String] = []
    package var misshapen: [Shape] = []

    package var isEmpty: Bool { self.missing.isEmpty && self.unexpected.isEmpty && self.misshapen.isEmpty }

    package var description: String {
        var parts: [String] = []
        if !self.missing.isEmpty { parts.append("missing tensors: \(self.missing.joined(separator: ", "))") }
        if !self.unexpected.isEmpty { parts.append("unexpected tensors: \(self.unexpected.joined(separator: ", "))") }
        for shape in self.misshapen {
            parts.append("tensor '\(shape.name)' has shape \(shape.found), the architecture needs \(shape.expected)")
        }
        return "\(self.source): tensors disagree with the architecture: " + parts.joined(separator: "; ")
    }
}

/// Why a model could not be built, loaded or saved.
package enum ModelError: Error, Equatable, CustomStringConvertible {
    case tensorsDisagree(TensorMismatch)
    case missingFile(path: String, hint: String)
    case invalidArchitecture(path: String, detail: String)
    case featuresDisagree(path: String, missing: [String])
    /// A model stored without its frozen tensors, whose base is not where it was looked for.
    case baseModelMissing(source: String, name: String, sha256: String, cache: String, madeFrom: String?)

    package var description: String {
        switch self {
        case .tensorsDisagree(let mismatch):
            return mismatch.description
        case .missingFile(let path, let hint):
            return "\(path): no such file ---> HINT: \(hint)"
        case .invalidArchitecture(let path, let detail):
            return "\(path): invalid architecture: \(detail)"
        case .featuresDisagree(let path, let missing):
            return "\(path): the model needs feature columns that the data lacks: \(missing.joined(separator: ", "))"
        case .baseModelMissing(let source, let name, let sha256, let cache, let madeFrom):
            let elsewhere = madeFrom.map { " nor at \($0), where it was read when the model was made" } ?? ""
            return
                "\(source) stores only the tensors it trains, and its base model \(name) (SHA-256 \(sha256)) is not in the cache at \(cache)\(elsewhere) ---> HINT: run `fedtune models fetch \(name)`, or give --cache the cache that holds it"
        }
    }
}
