import ArgumentParser
import FedCommands
import FedFetch
import FedLearning
import FedSupport
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure this machine: the learning core (the default), FedAvg aggregation, BERT or EfficientNet.",
        discussion: "Build with -c release for meaningful figures. OPENBLAS_CORETYPE picks the OpenBLAS kernel.",
        subcommands: [Core.self, Aggregation.self, Encoder.self, CNN.self, Convolution.self],
        defaultSubcommand: Core.self
    )

    struct Core: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure sgemm GFLOP/s and MLP training throughput on this machine."
        )

        @Option(help: "Square sgemm sizes, comma-separated.") var sizes: String = "64,256,512,1024"
        @Option(help: "Seconds to spend on each measurement.") var seconds: Double = 1
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "Only run this many MLP training steps, untimed (for allocation counting).") var steps: Int?

        func run() throws {
            if let steps = self.steps {
                try runReportingErrors { try Benchmark.mlpSteps(count: steps) }
                return
            }
            let sizes = self.sizes.split(separator: ",").compactMap { Int($0) }
            let result = Benchmark.run(sizes: sizes, seconds: self.seconds)
            if self.json {
                print(try jsonText(result))
                return
            }
            print("OpenBLAS kernel \(result.kernel), \(result.threads) threads")
            for figure in result.sgemm {
                print(String(format: "sgemm %5d³            %8.1f GFLOP/s", figure.size, figure.gflops))
            }
            print(
                String(
                    format: "sgemm 256³ check        %8.1e max error relative to a float64 product",
                    result.sgemmRelativeError
                )
            )
            print(
                String(
                    format: "mlp 64-256-256-10 step  %8.0f examples/s (batch 64, SGD)",
                    result.mlpStepExamplesPerSecond
                )
            )
            print(
                String(
                    format: "mlp trainer epochs      %8.0f examples/s (batch 64, AdamW, shuffled)",
                    result.mlpTrainerExamplesPerSecond
                )
            )
        }
    }

    struct Encoder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure BERT (MiniLM-sized) forward and fine-tuning step throughput.",
            discussion:
                "Compare with benchmarks/flax_bert.py (Hugging Face's FlaxBertModel on XLA), run side by side by benchmarks/encoder.sh."
        )

        @Option(help: "Sentences per batch.") var batch: Int = 32
        @Option(help: "Tokens per sentence.") var length: Int = 64
        @Option(help: "Timed runs per figure (the median is reported).") var repeats: Int = 7
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let r = try runReportingErrors {
                try EncoderBenchmark.run(batch: self.batch, length: self.length, repeats: self.repeats)
            }
            if self.json {
                print(try jsonText(r))
                return
            }
            print("MiniLM-sized BERT, batch \(r.batch) × \(r.length) tokens, \(r.threads) BLAS threads")
            print(
                String(
                    format: "forward + pooling          %8.1f ms  %7.1f sentences/s",
                    r.forwardMilliseconds,
                    r.forwardSentencesPerSecond
                )
            )
            for (name, ms) in [
                ("LoRA step (r 8, q+v)", r.loraStepMilliseconds), ("last-2 step", r.lastLayersStepMilliseconds),
                ("full step", r.fullStepMilliseconds),
            ] {
                print(
                    String(
                        format: "%-26@ %8.1f ms  %7.1f examples/s",
                        name as NSString,
                        ms,
                        Double(r.batch) / ms * 1000
                    )
                )
            }
            print(
                String(
                    format: "head mode, %d examples      epoch 1 %.2f s, epoch 2 %.3f s (%.1f%%)",
                    r.headExamples,
                    r.headFirstEpochSeconds,
                    r.headSecondEpochSeconds,
                    100 * r.headSecondEpochSeconds / r.headFirstEpochSeconds
                )
            )
            print(String(format: "bytes per round per site   base model once: %.1f MB", Double(r.modelBytes) / 1e6))
            for mode in FineTuning.Mode.allCases {
                let bytes = r.roundBytes[mode.rawValue] ?? 0
                print(
                    String(
                        format: "  %-8@ %12d bytes (%.2f%% of the model)",
                        mode.rawValue as NSString,
                        bytes,
                        100 * Double(bytes) / Double(Swift.max(r.modelBytes, 1))
                    )
                )
            }
        }
    }

    struct CNN: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cnn",
            abstract: "Measure EfficientNet-Lite0 forward and last-2 / full training step throughput.",
            discussion: """
                Loads efficientnet-lite0 from the cache (fetching it when missing). Compare with \
                benchmarks/flax_efficientnet.py (the same network in Flax on XLA), run side by side by benchmarks/cnn.sh.
                """
        )

        @Option(help: "Square input sizes, comma-separated.") var sizes: String = "224,64"
        @Option(help: "Images per batch.") var batch: Int = 32
        @Option(help: "Timed runs per figure (the median is reported).") var repeats: Int = 7
        @Option(help: "Only these measurements: \(CNNBenchmark.measurements.joined(separator: ",")).")
        var only: String = CNNBenchmark.measurements.joined(separator: ",")
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "Instead, time each kind of operation of a forward and a full backward at each size.")
        var profile = false
        @OptionGroup var cacheOptions: CacheOptions

        func validate() throws {
            guard self.batch > 0, self.repeats > 0 else { throw ValidationError("--batch and --repeats must be positive") }
            guard !self.sizeList.isEmpty, self.sizeList.allSatisfy({ (32...1024).contains($0) }) else {
                throw ValidationError("--sizes must be comma-separated sizes in 32...1024, found \(self.sizes)")
            }
            let unknown = self.measurements.subtracting(CNNBenchmark.measurements)
            guard unknown.isEmpty else { throw ValidationError("--only: unknown \(unknown.sorted())") }
        }

        private var sizeList: [Int] { self.sizes.split(separator: ",").compactMap { Int($0) } }
        private var measurements: Set<String> { Set(self.only.split(separator: ",").map(String.init)) }

        func run() throws {
            let result: CNNBenchmark.Result? = try runReportingErrors {
                let folder = try self.cacheOptions.artifactCache.model(named: "efficientnet-lite0") {
                    FileHandle.standardError.write(Data("\($0)\n".utf8))
                }
                let pretrained = try PretrainedEfficientNet.load(folder)
                if self.profile {
                    for size in self.sizeList {
                        let rows = try CNNLayerProfile.run(
                            pretrained: pretrained,
                            size: size,
                            batch: self.batch,
                            repeats: self.repeats
                        )
                        print(CNNLayerProfile.table(rows, size: size, batch: self.batch))
                    }
                    return nil
                }
                return try CNNBenchmark.run(
                    pretrained: pretrained,
                    sizes: self.sizeList,
                    batch: self.batch,
                    repeats: self.repeats,
                    only: self.measurements
                ) { figure in
                    if !self.json { print(CNNBenchmark.line(figure)) }
                }
            }
            guard let result else { return }
            if self.json {
                print(try jsonText(result))
                return
            }
            print(CNNBenchmark.table(result))
        }
    }

    struct Convolution: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "conv",
            abstract: "Time each EfficientNet-Lite0 convolution shape against sgemm on the same m, n, k.",
            discussion: "Forward and backward (weight and input gradient) GFLOP/s next to plain sgemm's."
        )

        @Option(help: "Images per batch.") var batch: Int = 32
        @Option(help: "Timed runs per figure (the median is reported).") var repeats: Int = 5
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let rows = ConvolutionBenchmark.run(batch: self.batch, repeats: self.repeats)
            if self.json {
                print(try jsonText(rows))
                return
            }
            print(ConvolutionBenchmark.table(rows, batch: self.batch))
        }
    }

    struct Aggregation: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time clipped FedAvg over many sites' updates and report peak resident memory.",
            discussion: """
                Without --sites or --parameters, runs 10 sites × 22M parameters and 100 sites × 1M. \
                Each update is generated just before it is folded; only the folds and the average are timed.
                """
        )

        @Option(help: "Sites reporting an update (default 10 when --parameters is given).") var sites: Int?
        @Option(help: "Parameters in one update (default 22000000 when --sites is given).") var parameters: Int?
        @Option(help: "L2 clip norm; half the generated updates are above it.") var clipNorm: Float = 1
        @Option(help: "Seed for the generated updates.") var seed: UInt64 = 1
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if let sites = self.sites, sites <= 0 { throw ValidationError("--sites must be positive") }
            if let parameters = self.parameters, parameters <= 0 {
                throw ValidationError("--parameters must be positive")
            }
            guard self.clipNorm > 0 else { throw ValidationError("--clip-norm must be positive") }
        }

        func run() throws {
            let configurations: [AggregationBenchmark.Configuration] =
                if self.sites == nil && self.parameters == nil {
                    AggregationBenchmark.Configuration.defaults.map {
                        .init(sites: $0.sites, parameters: $0.parameters, clipNorm: self.clipNorm, seed: self.seed)
                    }
                } else {
                    [
                        .init(
                            sites: self.sites ?? 10,
                            parameters: self.parameters ?? 22_000_000,
                            clipNorm: self.clipNorm,
                            seed: self.seed
                        )
                    ]
                }
            var results: [AggregationBenchmark.Result] = []
            for configuration in configurations {
                let result = try runReportingErrors { try AggregationBenchmark.run(configuration) }
                if !self.json { self.printText(result) }
                results.append(result)
            }
            if self.json { print(try jsonText(results)) }
        }

        private func printText(_ r: AggregationBenchmark.Result) {
            let c = r.configuration
            let megabytes = { (bytes: Int) in Double(bytes) / 1e6 }
            print(
                String(
                    format: "FedAvg %d sites × %.1fM parameters (%d tensors, %.1f MB a model), clip norm %g, "
                        + "OpenBLAS %@ %d threads",
                    c.sites,
                    Double(c.parameters) / 1e6,
                    r.tensors,
                    megabytes(r.modelBytes),
                    c.clipNorm,
                    r.blasKernel,
                    r.blasThreads
                )
            )
            let rounds = r.roundSeconds.map { String(format: "%.3f", $0) }.joined(separator: ", ")
            print(
                String(
                    format: "  add × %d + average    %8.3f s  best of rounds %@; %d clipped; ‖average‖ %.6g",
                    c.sites,
                    r.aggregationSeconds,
                    rounds,
                    r.clippedUpdates,
                    r.averageNorm
                )
            )
            print(String(format: "  per update            %8.2f ms", r.aggregationSeconds / Double(c.sites) * 1e3))
            print(
                String(
                    format: "  generating updates    %8.3f s  not timed above, nor making the zeroed sum (%.3f s)",
                    r.generationSeconds,
                    r.setupSeconds
                )
            )
            if let peak = r.peakResidentBytes, let baseline = r.baselineResidentBytes,
                let models = r.peakIncreaseInModels
            {
                print(
                    String(
                        format: "  peak RSS (VmHWM)      %8.1f MB  baseline %.1f MB, +%.1f MB = %.2f × one model%@",
                        megabytes(peak),
                        megabytes(baseline),
                        megabytes(peak - baseline),
                        models,
                        r.peakWasReset ? "" : " (peak not reset: may predate this run)"
                    )
                )
            } else {
                print("  peak RSS              unavailable (no /proc/self/status)")
            }
        }
    }
}

private func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
