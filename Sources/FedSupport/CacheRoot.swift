import Foundation

/// Where fedtune keeps fetched models and datasets, known to every layer so that a model
/// stored without its base can find that base in the cache.
package enum CacheRoot {
    /// `$FEDTUNE_CACHE` if set, else `~/.cache/fedtune`.
    package static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let cache = environment["FEDTUNE_CACHE"], !cache.isEmpty {
            return URL(fileURLWithPath: NSString(string: cache).expandingTildeInPath, isDirectory: true)
        }
        let home =
            environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/fedtune", isDirectory: true)
    }

    /// The folder of fetched models under `root`, one subfolder per model name.
    package static func models(in root: URL) -> URL {
        root.appendingPathComponent("models", isDirectory: true)
    }
}
