import FedCoordinator
import FedLearning
import FedSupport
import FedTensor
import FedText
import FedWire
import Foundation
import NIOCore
import Testing

/// Bounded fuzzing of everything a peer or a file hands fedtune: the frame decoder and the
/// control messages, safetensors files, model blobs, training settings and YAML files.
/// Each input is mutated from a valid one with a seeded generator; every one must be
/// accepted or refused with an error, never crash or hang. CI runs a few thousand inputs;
/// `FEDTUNE_FUZZ_ITERATIONS=200000 scripts/hostile` runs many more. Counts are printed.
@Suite(.serialized)
struct FuzzTests {
    static let iterations = ProcessInfo.processInfo.environment["FEDTUNE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 1500

    /// Tallies what happened to the inputs of one target, and the slowest one.
    struct Tally: CustomStringConvertible {
        var target: String
        var tried = 0
        var refused = 0
        var accepted = 0
        var slowest: Duration = .zero

        mutating func run(_ body: () throws -> Void) {
            let start = ContinuousClock.now
            do {
                try body()
                self.accepted += 1
            } catch {
                self.refused += 1
            }
            self.tried += 1
            self.slowest = Swift.max(self.slowest, start.duration(to: .now))
        }

        var description: String {
            "fuzz \(self.target): tried \(self.tried), refused cleanly \(self.refused), accepted \(self.accepted), "
                + "crashed 0, hung 0 (slowest \(self.slowest))"
        }
    }

    /// Lets other tests' tasks run now and then: the loops are long and synchronous, and
    /// the task pool has as many threads as cores.
    static func share(_ index: Int) async {
        if index % 100 == 0 { await Task.yield() }
    }

    /// `bytes` with a few random changes: flipped bits, overwritten bytes with boundary
    /// values, a cut, or a repeated slice.
    static func mutate(_ bytes: [UInt8], _ generator: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<(1 + generator.nextIndex(below: 4)) where !out.isEmpty {
            let at = generator.nextIndex(below: out.count)
            switch generator.nextIndex(below: 5) {
            case 0: out[at] ^= UInt8(1 << generator.nextIndex(below: 8))
            case 1: out[at] = [0x00, 0xFF, 0x7F, 0x80, 0x22, 0x5B, 0x7B, 0x39][generator.nextIndex(below: 8)]
            case 2: out.removeSubrange(at...)
            case 3:
                out.insert(contentsOf: out[at..<Swift.min(at + 1 + generator.nextIndex(below: 64), out.count)], at: at)
            default: out.remove(at: at)
            }
        }
        return out
    }

    /// Text with digits swapped for extreme numbers, and random YAML/JSON punctuation.
    static func mutate(text: String, _ generator: inout SeededGenerator) -> String {
        let extremes = [
            "-1", "0", "1e308", "nan", ".nan", "-0", "9223372036854775807", "4611686018427387904", "1e-320",
        ]
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<(1 + generator.nextIndex(below: 3)) where !words.isEmpty {
            let at = generator.nextIndex(below: words.count)
            switch generator.nextIndex(below: 4) {
            case 0 where words[at].contains(where: \.isNumber):
                words[at] = extremes[generator.nextIndex(below: extremes.count)]
            case 1:
                words[at] += ["[", "{", ":", "&a", "*a", "\"", "'", "- ", "\n  ", "#"][generator.nextIndex(below: 10)]
            case 2: words.remove(at: at)
            default: words.insert(words[generator.nextIndex(below: words.count)], at: at)
            }
        }
        return words.joined(separator: " ")
    }

    @Test func framesAndControlMessages() async throws {
        var generator = SeededGenerator(seed: 1)
        var tally = Tally(target: "frames and messages")
        let valid: [Message] = [
            .hello(.init(modelDigests: [String(repeating: "a", count: 64)], examples: 12)),
            .update(.init(round: 3, examples: 10, metrics: ["loss": 0.5], blob: .init(content: .delta, bytes: 40))),
            .failure(.init(message: "bad", round: 2)),
        ]
        let encoded = try valid.map { message -> [UInt8] in
            let frame = try message.frame()
            var buffer = ByteBuffer()
            buffer.writeInteger(UInt32(frame.payload.readableBytes), endianness: .big)
            buffer.writeInteger(frame.kind.rawValue)
            buffer.writeImmutableBuffer(frame.payload)
            return Array(buffer.readableBytesView)
        }
        let decoder = FrameDecoder(maximumFrameBytes: 1 << 16)
        for index in 0..<Self.iterations {
            await Self.share(index)
            let bytes = Self.mutate(encoded[index % encoded.count], &generator)
            tally.run {
                var buffer = ByteBuffer(bytes: bytes)
                while let frame = try decoder.nextFrame(&buffer) {
                    if frame.kind == .control { _ = try Message(frame: frame) }
                }
            }
        }
        print(tally)
        #expect(tally.tried == Self.iterations && tally.slowest < .seconds(2))
    }

    @Test func safetensorsFilesAndModelBlobs() async throws {
        var generator = SeededGenerator(seed: 2)
        var files = Tally(target: "safetensors")
        var models = Tally(target: "model blobs")
        let architecture = ModelArchitecture(
            inputs: 3,
            hidden: [4],
            classes: 2,
            featureNames: ["a", "b", "c"],
            classNames: ["x", "y"]
        )
        let model = AnyClassifier.tabular(Classifier(architecture: architecture, seed: 1))
        let blob = Array(ModelPackage.encode(metadata: try model.packageMetadata(), tensors: model.parameters.values()))
        for index in 0..<Self.iterations {
            await Self.share(index)
            let bytes = Self.mutate(blob, &generator)
            files.run { _ = try Safetensors.decode(Data(bytes), path: "fuzz") }
            models.run { _ = try ModelPackage.decodeAny(Data(bytes), source: "fuzz", bases: .nowhere) }
        }
        // The description itself, with extreme numbers in every field it has.
        let json = String(decoding: try JSONEncoder().encode(architecture), as: UTF8.self)
            .replacingOccurrences(of: ",", with: " , ")
        var described = Tally(target: "model descriptions")
        for index in 0..<Self.iterations {
            await Self.share(index)
            let text = Self.mutate(text: json, &generator)
            described.run {
                let metadata = [ModelPackage.architectureKey: text, "format": "pt"]
                let data = ModelPackage.encode(metadata: metadata, tensors: model.parameters.values())
                _ = try ModelPackage.decodeAny(data, source: "fuzz", bases: .nowhere)
            }
        }
        // A text classifier's description (the BERT sizes, LoRA, classes), the same way.
        let text = TextClassifier(
            architecture: TextClassifierArchitecture(
                encoder: BertConfiguration(
                    vocabularySize: 8,
                    hiddenSize: 4,
                    layerCount: 1,
                    headCount: 2,
                    intermediateSize: 8,
                    maxPositions: 8
                ),
                maxLength: 8,
                lowercase: true,
                classNames: ["x", "y"],
                fineTuning: FineTuning(mode: .lora, lora: LoRASettings(rank: 2))
            ),
            vocabulary: try WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]),
            seed: 1
        )
        var textMetadata = try ModelPackage.metadata(text: text)
        let textJSON = (textMetadata[ModelPackage.architectureKey] ?? "").replacingOccurrences(of: ",", with: " , ")
        var texts = Tally(target: "text model descriptions")
        for index in 0..<Self.iterations {
            await Self.share(index)
            textMetadata[ModelPackage.architectureKey] = Self.mutate(text: textJSON, &generator)
            texts.run {
                let data = ModelPackage.encode(metadata: textMetadata, tensors: text.parameters.values())
                _ = try ModelPackage.decodeAny(data, source: "fuzz", bases: .nowhere)
            }
        }
        for tally in [files, models, described, texts] {
            print(tally)
            #expect(tally.tried == Self.iterations && tally.slowest < .seconds(2))
        }
    }

    @Test func trainingSettingsAndYAMLFiles() async throws {
        var generator = SeededGenerator(seed: 3)
        var settings = Tally(target: "training settings")
        let json =
            #"{"epochs": 3 , "batch_size": 8 , "learning_rate": 0.02 , "warmup_fraction": 0.1 , "class_weights": [1 , 2] , "optimizer": {"kind": "sgd" , "momentum": 0.9}}"#
        for index in 0..<Self.iterations {
            await Self.share(index)
            let text = Self.mutate(text: json, &generator)
            settings.run {
                let configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(text.utf8))
                // Whatever is accepted must be in range: it is what a site would train with.
                guard configuration.problems.isEmpty else { throw CancellationError() }
            }
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-fuzz-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let yaml = """
            listen: 127.0.0.1:0
            identity: certs/coordinator
            model: model
            state: state
            rounds: 5
            min_sites: 3
            quorum: 2
            deadline_seconds: 30
            strategy: {clip_norm: 2.5 , server_learning_rate: 0.5}
            training: {epochs: 2 , learning_rate: 0.01 , batch_size: 16}
            allow: [site-a , site-b]
            max_examples_per_site: 5000
            """
        var files = Tally(target: "coordinator.yaml")
        let file = folder.appendingPathComponent("coordinator.yaml")
        for index in 0..<Self.iterations {
            await Self.share(index)
            try Self.mutate(text: yaml, &generator).write(to: file, atomically: false, encoding: .utf8)
            files.run { _ = try CoordinatorConfiguration.load(file) }
        }
        for tally in [settings, files] {
            print(tally)
            #expect(tally.tried == Self.iterations && tally.slowest < .seconds(2))
        }
    }
}
