import FedSupport
import Foundation

/// The pretrained encoder a text classifier was built on, named by the SHA-256 of its
/// model.safetensors. A model folder or checkpoint in head, last-n or LoRA mode stores
/// only the tensors it trains; the frozen rest is read from this base.
package struct BaseModelReference: Sendable, Codable, Equatable {
    /// The cache's name for it (`all-MiniLM-L6-v2`), which `fedtune models fetch` takes.
    package var name: String
    package var sha256: String
    /// Where the base was read when the classifier was made; looked at after the cache.
    package var path: String?

    package init(name: String, sha256: String, path: String? = nil) {
        self.name = name
        self.sha256 = sha256
        self.path = path
    }
}

/// Finds a base model by digest: first `<cache>/models/<name>/`, then the folder it was
/// read from when the classifier was made, then every other model in the cache. A folder
/// counts only when its model.safetensors has the digest asked for.
package struct BaseModelLocator: Sendable {
    /// The cache to look in; nil looks nowhere (a site takes its model whole from the wire,
    /// and never reads a folder a coordinator's metadata names).
    package var cache: URL?

    package init(cache: URL?) { self.cache = cache }

    /// Finds no base: for models that must arrive whole.
    package static let nowhere = BaseModelLocator(cache: nil)

    /// The cache `$FEDTUNE_CACHE` or `~/.cache/fedtune` names.
    package static var standard: BaseModelLocator { BaseModelLocator(cache: CacheRoot.default()) }

    /// The base `reference` names, loaded; `source` is the file that needs it, for the message.
    package func pretrained(_ reference: BaseModelReference, for source: String) throws -> PretrainedBert {
        let found = try self.locate(reference, for: source)
        return try PretrainedBert.load(found.deletingLastPathComponent(), sha256: reference.sha256)
    }

    /// The pretrained CNN `reference` names, loaded (a folder's model.safetensors, or the
    /// checkpoint file it was read from).
    package func pretrainedImage(_ reference: BaseModelReference, for source: String) throws -> PretrainedEfficientNet {
        let found = try self.locate(reference, for: source)
        let location = found.lastPathComponent == PretrainedBert.weightsFile ? found.deletingLastPathComponent() : found
        return try PretrainedEfficientNet.load(location, sha256: reference.sha256)
    }

    /// The weights file whose SHA-256 is the reference's: model.safetensors in
    /// `<cache>/models/<name>/`, then where the base was read (a folder or a file), then in
    /// every other model folder of the cache.
    private func locate(_ reference: BaseModelReference, for source: String) throws -> URL {
        guard let cache = self.cache else {
            throw ModelError.invalidArchitecture(
                path: source,
                detail:
                    "it holds only the trained tensors of a model on base \(reference.name); a whole model was expected"
            )
        }
        let models = CacheRoot.models(in: cache)
        var candidates = [models.appendingPathComponent(reference.name, isDirectory: true)]
        if let path = reference.path { candidates.append(URL(fileURLWithPath: path)) }
        let others = (try? FileManager.default.contentsOfDirectory(at: models, includingPropertiesForKeys: nil)) ?? []
        candidates += others.sorted { $0.path < $1.path }
        var seen: Set<String> = []
        for candidate in candidates where seen.insert(candidate.standardizedFileURL.path).inserted {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder) else { continue }
            let weights = isFolder.boolValue ? candidate.appendingPathComponent(PretrainedBert.weightsFile) : candidate
            guard let digest = try? Self.sha256(ofFile: weights), digest == reference.sha256 else { continue }
            return weights
        }
        throw ModelError.baseModelMissing(
            source: source,
            name: reference.name,
            sha256: reference.sha256,
            cache: cache.path,
            madeFrom: reference.path
        )
    }

    /// SHA-256 of a file, told as a model error naming it when it cannot be read.
    static func sha256(ofFile url: URL) throws -> String {
        do {
            return try sha256Hex(contentsOf: url)
        } catch {
            throw ModelError.missingFile(path: url.path, hint: "could not read it to check its SHA-256")
        }
    }
}
