import ArgumentParser
import FedLearning
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm GFLOP/s and MLP training throughput on this machine.",
        discussion: "Build with -c release for meaningful figures. OPENBLAS_CORETYPE picks the OpenBLAS kernel.")

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
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        print("OpenBLAS kernel \(result.kernel), \(result.threads) threads")
        for figure in result.sgemm {
            print(String(format: "sgemm %5d³            %8.1f GFLOP/s", figure.size, figure.gflops))
        }
        print(String(format: "sgemm 256³ check        %8.1e max error relative to a float64 product", result.sgemmRelativeError))
        print(String(format: "mlp 64-256-256-10 step  %8.0f examples/s (batch 64, SGD)", result.mlpStepExamplesPerSecond))
        print(String(format: "mlp trainer epochs      %8.0f examples/s (batch 64, AdamW, shuffled)", result.mlpTrainerExamplesPerSecond))
    }
}
