import ArgumentParser
import FedFetch
import FedLearning
import Foundation

/// `--cache`, shared by every command that fetches models or datasets.
struct CacheOptions: ParsableArguments {
    @Option(help: "Cache of fetched models and datasets (default: $FEDTUNE_CACHE, else ~/.cache/fedtune).")
    var cache: String?

    /// The cache folder this option names.
    var root: URL { ArtifactCache.root(option: self.cache) }

    /// Where a text model that stores only what it trains finds its base: this cache.
    var bases: BaseModelLocator { BaseModelLocator(cache: self.root) }

    /// The cache at that folder, with the standard catalogs.
    var artifactCache: ArtifactCache { ArtifactCache(root: self.root) }
}
