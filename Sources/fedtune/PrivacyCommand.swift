import ArgumentParser
import FedCommands

/// `fedtune privacy`: the (ε, δ) a DP-FedAvg plan gives, and the noise a budget needs, from the
/// RDP accountant (a port of Google's dp_accounting 0.6.0; see docs/PRIVACY.md).
struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "Compute ε for a noise multiplier, or the noise multiplier for a target ε.",
        subcommands: [Epsilon.self, Noise.self]
    )

    /// How rounds sample sites: --sample-rate, or --population with --sample-size.
    struct SamplingOptions: ParsableArguments {
        @Option(help: "q: the probability that each site takes part in a round (Poisson sampling), in [0, 1].")
        var sampleRate: Double?
        @Option(help: "n: the number of sites, when each round draws --sample-size of them without replacement.")
        var population: Int?
        @Option(help: "m: the number of sites each round draws without replacement, from --population.")
        var sampleSize: Int?
        @Option(help: "T: the number of rounds (0 or more).") var rounds: Int
        @Option(help: "δ, in (0, 1); well below 1/n, e.g. 1e-5.") var delta: Double
        @Flag(help: "Print JSON for scripts instead of a sentence.") var json = false

        func validate() throws {
            switch (self.sampleRate, self.population, self.sampleSize) {
            case (.some, nil, nil), (nil, .some, .some): return
            case (.some, _, _): throw ValidationError("give --sample-rate, or --population and --sample-size, not both")
            default: throw ValidationError("give --sample-rate, or --population and --sample-size")
            }
        }

        var sampling: PrivacyCalculation.Sampling {
            if let sampleRate { return .poisson(sampleRate: sampleRate) }
            return .withoutReplacement(population: self.population ?? 0, sampleSize: self.sampleSize ?? 0)
        }
    }

    /// `fedtune privacy epsilon --noise-multiplier Z --sample-rate Q --rounds T --delta D`.
    struct Epsilon: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "ε after T rounds of the sampled Gaussian mechanism with noise multiplier z."
        )

        @Option(help: "z: the noise's standard deviation over the clipping norm (0 or more).")
        var noiseMultiplier: Double
        @OptionGroup var options: SamplingOptions

        func run() throws {
            let report = try runReportingErrors {
                try PrivacyCalculation.epsilon(
                    noiseMultiplier: self.noiseMultiplier,
                    sampling: self.options.sampling,
                    rounds: self.options.rounds,
                    delta: self.options.delta
                )
            }
            print(self.options.json ? try PrivacyCalculation.json(report) : PrivacyCalculation.text(report))
        }
    }

    /// `fedtune privacy noise --target-epsilon E --sample-rate Q --rounds T --delta D`.
    struct Noise: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The least noise multiplier whose ε after T rounds is at most the target."
        )

        @Option(help: "The privacy budget ε (above 0).") var targetEpsilon: Double
        @OptionGroup var options: SamplingOptions

        func run() throws {
            let report = try runReportingErrors {
                try PrivacyCalculation.noise(
                    targetEpsilon: self.targetEpsilon,
                    sampling: self.options.sampling,
                    rounds: self.options.rounds,
                    delta: self.options.delta
                )
            }
            print(self.options.json ? try PrivacyCalculation.json(report) : PrivacyCalculation.text(report))
        }
    }
}
