import FedSupport
import Foundation

/// A model description read from `model.json` or a blob's metadata, which names its own
/// problems (each naming the field) once decoded.
package protocol ModelDescription: Decodable {
    var problems: [String] { get }
}

extension ModelDescription {
    /// Decodes and checks a description; every problem is told with `source`, in plain words.
    package static func decode(_ data: Data, source: String) throws -> Self {
        let description: Self
        do {
            description = try JSONDecoder().decode(Self.self, from: data)
        } catch let error as DecodingError {
            throw ModelError.invalidArchitecture(path: source, detail: error.fieldDescription)
        } catch {
            throw ModelError.invalidArchitecture(path: source, detail: "not valid JSON (\(error))")
        }
        let problems = description.problems
        guard problems.isEmpty else {
            throw ModelError.invalidArchitecture(path: source, detail: problems.joined(separator: "; "))
        }
        return description
    }
}
