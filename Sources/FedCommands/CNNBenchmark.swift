import FedImage
import FedLearning
import FedTensor
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `fedtune bench cnn`: EfficientNet-Lite0 throughput on this machine, measured the way
/// `benchmarks/flax_efficientnet.py` measures the same network in Flax on XLA: at each input
/// size, a forward in evaluation mode (pooled features), a last-2 training step and a full
/// training step (2-class classifier, dropout 0.2, cross-entropy, backward, AdamW with lr 1e-4
/// and weight decay 0.01), each the median of `repeats` after warm-up, every call continuing
/// from the previous one's weights on one fixed batch of random images.
///
/// The steps go through `ImageClassifier.logits` and `backward` and the optimizer as the
/// Trainer calls them, so they include filling the input batch from 8-bit pixels (timed on
/// its own as `input`). `lastn` computes the whole forward every step as XLA does (a random
/// horizontal flip turns the frozen-layer cache off); `lastn-cached` is fedtune's real cost
/// per step in last-n mode without augmentation, where the frozen layers' output is computed
/// once per image and the step starts at the first trained block.
package enum CNNBenchmark {
    /// One timed measurement at one size.
    package struct Figure: Sendable, Codable {
        /// `input`, `forward`, `lastn`, `lastn-cached` or `full`.
        package var measurement: String
        package var size: Int
        package var batch: Int
        package var medianMilliseconds: Double
        package var imagesPerSecond: Double
        /// This process's CPU time over the wall time of the timed calls.
        package var cores: Double
        /// Every other process's CPU time over that wall time (≈ 0 on a quiet machine).
        package var otherCores: Double
        /// The loss of the first and last timed step (training steps only): it should fall.
        package var losses: [Float]?
    }

    package struct Result: Sendable, Codable {
        package var batch: Int
        package var threads: Int
        package var kernel: String
        package var figures: [Figure]
    }

    /// The measurements in the order they run and print.
    package static let measurements = ["input", "forward", "lastn", "lastn-cached", "full"]

    /// Times every measurement in `only` (default all) at each of `sizes`; `log` gets one line
    /// per figure as it is measured.
    package static func run(
        pretrained: PretrainedEfficientNet,
        sizes: [Int],
        batch: Int = 32,
        repeats: Int = 7,
        only: Set<String> = Set(measurements),
        log: (Figure) -> Void = { _ in }
    ) throws -> Result {
        var figures: [Figure] = []
        for size in sizes {
            var generator = SeededGenerator(seed: UInt64(size))
            let pixels = (0..<(batch * size * size * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let images = ImageSet(
                height: size,
                width: size,
                channels: 3,
                pixels: pixels,
                labels: (0..<batch).map { $0 % 2 },
                classNames: ["a", "b"]
            )
            func record(_ name: String, _ timing: Timing, losses: [Float]? = nil) {
                let figure = Figure(
                    measurement: name,
                    size: size,
                    batch: batch,
                    medianMilliseconds: timing.median * 1e3,
                    imagesPerSecond: Double(batch) / timing.median,
                    cores: timing.cores,
                    otherCores: timing.otherCores,
                    losses: losses
                )
                figures.append(figure)
                log(figure)
            }
            let batcher = ImageBatcher(height: size, width: size, normalization: pretrained.normalization)
            var input = Tensor(shape: [0])
            let rows = Array(0..<batch)[...]
            if only.contains("input") {
                record("input", self.time(repeats) { batcher.fill(&input, from: images, rows: rows) })
            }
            if only.contains("forward") {
                let model = try self.classifier(pretrained, .init(mode: .head), size: size, flip: false)
                batcher.fill(&input, from: images, rows: rows)
                record(
                    "forward",
                    self.time(repeats) {
                        model.backbone.forward(input, parameters: model.parameters, training: false)
                    }
                )
            }
            let steps: [(String, ImageFineTuning, Bool)] = [
                ("lastn", .init(mode: .lastLayers, layers: 2), true),
                ("lastn-cached", .init(mode: .lastLayers, layers: 2), false),
                ("full", .init(mode: .full), false),
            ]
            for (name, fineTuning, flip) in steps where only.contains(name) {
                let model = try self.classifier(pretrained, fineTuning, size: size, flip: flip)
                let (timing, losses) = self.timeSteps(model, ImageExamples(images), rows: rows, repeats: repeats)
                record(name, timing, losses: losses)
            }
        }
        return Result(batch: batch, threads: BLAS.threadCount, kernel: BLAS.coreName, figures: figures)
    }

    /// One line per figure in `benchmarks/flax_efficientnet.py`'s column format, for a script
    /// to join: `cnn-bench fedtune measurement size batch median_ms images_per_s cores others`.
    package static func line(_ f: Figure) -> String {
        String(
            format: "cnn-bench fedtune %@ %d %d %.1f %.1f %.2f %.2f",
            f.measurement as NSString,
            f.size,
            f.batch,
            f.medianMilliseconds,
            f.imagesPerSecond,
            f.cores,
            f.otherCores
        )
    }

    /// A readable table of the figures.
    package static func table(_ result: Result) -> String {
        var lines = [
            "EfficientNet-Lite0, batch \(result.batch), \(result.threads) threads, OpenBLAS \(result.kernel)",
            "measurement    size   median ms     img/s  cores  others  loss first → last",
        ]
        for f in result.figures {
            var loss = ""
            if let l = f.losses, let first = l.first, let last = l.last {
                loss = String(format: "%.4f → %.4f", first, last)
            }
            lines.append(
                String(
                    format: "%@ %5d %11.1f %9.1f %6.2f %7.2f  %@",
                    f.measurement.padding(toLength: 13, withPad: " ", startingAt: 0) as NSString,
                    f.size,
                    f.medianMilliseconds,
                    f.imagesPerSecond,
                    f.cores,
                    f.otherCores,
                    loss as NSString
                )
            )
        }
        lines.append(
            "(input: 8-bit pixels to the normalised batch, included in every step; forward: backbone to pooled"
        )
        lines.append(
            " features in evaluation mode; lastn: whole forward each step, as XLA; lastn-cached: from block 14 on"
        )
        lines.append(" the frozen layers' cached output, fedtune's cost without augmentation; full: every tensor trains)")
        return lines.joined(separator: "\n")
    }

    /// A pretrained 2-class classifier in `fineTuning` mode at `size`; `flip` turns on a random
    /// horizontal flip, which keeps the frozen layers from being cached.
    private static func classifier(
        _ pretrained: PretrainedEfficientNet,
        _ fineTuning: ImageFineTuning,
        size: Int,
        flip: Bool
    ) throws -> ImageClassifier {
        try ImageClassifier(
            pretrained: pretrained,
            classNames: ["a", "b"],
            fineTuning: fineTuning,
            inputSize: size,
            augmentation: AugmentationSettings(horizontalFlip: flip),
            dropout: 0.2,
            seed: 1
        )
    }

    /// Training steps as the Trainer takes them, on the same rows each time: two warm-up steps
    /// (the first fills any cache), then `repeats` timed ones.
    private static func timeSteps(
        _ model: ImageClassifier,
        _ examples: ImageExamples,
        rows: ArraySlice<Int>,
        repeats: Int
    ) -> (Timing, [Float]) {
        let loss = SoftmaxCrossEntropy(classes: model.classCount)
        var configuration = OptimizerConfiguration()
        configuration.weightDecay = 0.01
        var optimizer = configuration.make()
        let labels = rows.map { examples.labels[$0] }
        var losses: [Float] = []
        let timing = self.time(repeats, warmUp: 2) {
            let logits = model.logits(examples, rows: rows, training: true)
            losses.append(loss.forward(logits, targets: labels))
            model.parameters.zeroGradients()
            loss.backward(targets: labels)
            model.backward(logitsGradient: loss.logitsGradient)
            optimizer.step(&model.parameters, learningRate: 1e-4)
        }
        return (timing, [losses[2], losses[losses.count - 1]])
    }

    /// The median wall time of `repeats` calls after `warmUp` calls, with the cores this process
    /// and all others used meanwhile.
    struct Timing {
        var median: Double
        var cores: Double
        var otherCores: Double
    }

    static func time(_ repeats: Int, warmUp: Int = 1, _ body: () -> Void) -> Timing {
        for _ in 0..<warmUp { body() }
        var times: [Double] = []
        let meter = CoreMeter()
        for _ in 0..<Swift.max(repeats, 1) {
            let started = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        let (cores, others) = meter.read(wall: times.reduce(0, +))
        return Timing(median: times.sorted()[times.count / 2], cores: cores, otherCores: others)
    }
}

extension CNNBenchmark {
    /// Cores this process kept busy, and cores every other process took, over a stretch of wall
    /// time: its CPU time, and the machine's busy time from /proc/stat less its own.
    struct CoreMeter {
        private let cpu = Self.processSeconds()
        private let busy = Self.machineBusySeconds()

        func read(wall: Double) -> (cores: Double, others: Double) {
            guard wall > 0 else { return (0, 0) }
            let mine = Self.processSeconds() - self.cpu
            guard let before = self.busy, let after = Self.machineBusySeconds() else { return (mine / wall, .nan) }
            return (mine / wall, Swift.max(after - before - mine, 0) / wall)
        }

        static func processSeconds() -> Double {
            Double(clock()) / Double(CLOCKS_PER_SEC)  // all threads' CPU time on Linux
        }

        /// user + nice + system + irq + softirq + steal of the first line of /proc/stat, in seconds.
        static func machineBusySeconds() -> Double? {
            guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
                let first = text.split(separator: "\n").first
            else { return nil }
            let fields = first.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard fields.count >= 8 else { return nil }
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / ticks
        }
    }
}
