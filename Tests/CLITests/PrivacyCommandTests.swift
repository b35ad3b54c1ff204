import Foundation
import Testing

/// `fedtune privacy epsilon` and `fedtune privacy noise` through the built binary.
struct PrivacyCommandTests {
    @Test func epsilonPrintsTheIssuesValueInOneLine() throws {
        let output = try Command.fedtune(
            "privacy",
            "epsilon",
            "--noise-multiplier",
            "1.1",
            "--sample-rate",
            "0.01",
            "--rounds",
            "1000",
            "--delta",
            "1e-5"
        )

        #expect(output.status == 0, "\(output.stderr)")
        let expected =
            "ε = 1.712 at δ = 1e-05 after 1000 rounds (noise multiplier 1.1, sample rate 0.01, " + "RDP order 9.6)"
        #expect(output.stdout == expected + "\n")
    }

    @Test func epsilonAsJSONCarriesTheFullValue() throws {
        let output = try Command.fedtune(
            "privacy",
            "epsilon",
            "--noise-multiplier",
            "1",
            "--sample-rate",
            "1",
            "--rounds",
            "10",
            "--delta",
            "1e-5",
            "--json"
        )

        #expect(output.status == 0, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let epsilon = try #require(report["epsilon"] as? Double)
        #expect(abs(epsilon / 19.0536 - 1) < 0.01, "ε = \(epsilon)")
        #expect(report["order"] as? Double == 2.5)
        #expect(report["neighboringRelation"] as? String == "add-or-remove-one")
    }

    @Test func noiseFindsTheLeastNoiseForTheBudget() throws {
        let output = try Command.fedtune(
            "privacy",
            "noise",
            "--target-epsilon",
            "1",
            "--sample-rate",
            "0.01",
            "--rounds",
            "1000",
            "--delta",
            "1e-5",
            "--json"
        )

        #expect(output.status == 0, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let z = try #require(report["noiseMultiplier"] as? Double)
        let epsilon = try #require(report["epsilon"] as? Double)
        // dp_accounting 0.6.0's calibrate_dp_mechanism gives 1.51312; the report rounds up to 4 digits.
        #expect(z == 1.514)
        #expect(epsilon <= 1 && epsilon > 0.99, "ε = \(epsilon)")
    }

    @Test func noiseWithoutReplacementPrintsTwoLines() throws {
        let output = try Command.fedtune(
            "privacy",
            "noise",
            "--target-epsilon",
            "2",
            "--population",
            "100",
            "--sample-size",
            "10",
            "--rounds",
            "100",
            "--delta",
            "1e-5"
        )

        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("noise multiplier 4.51: ε = 1.99") == true, "\(output.stdout)")
        #expect(output.stdout.contains("10 of 100 sites sampled without replacement"))
    }

    @Test func aSampleRateAboveOneIsRefusedByName() throws {
        let output = try Command.fedtune(
            "privacy",
            "epsilon",
            "--noise-multiplier",
            "1.1",
            "--sample-rate",
            "1.5",
            "--rounds",
            "10",
            "--delta",
            "1e-5"
        )

        #expect(output.status != 0)
        #expect(output.stderr.contains("--sample-rate is 1.5, but it must be in [0, 1]"), "\(output.stderr)")
        #expect(output.stdout.isEmpty)
    }

    @Test func negativeRoundsAndADeltaOfOneAreRefusedByName() throws {
        let rounds = try Command.fedtune(
            "privacy",
            "epsilon",
            "--noise-multiplier",
            "1.1",
            "--sample-rate",
            "0.1",
            "--rounds=-3",
            "--delta",
            "1e-5"
        )
        let delta = try Command.fedtune(
            "privacy",
            "noise",
            "--target-epsilon",
            "1",
            "--sample-rate",
            "0.1",
            "--rounds",
            "3",
            "--delta",
            "1"
        )

        #expect(rounds.status != 0)
        #expect(rounds.stderr.contains("--rounds is -3, but it must be 0 or more"), "\(rounds.stderr)")
        #expect(delta.status != 0)
        #expect(delta.stderr.contains("--delta is 1.0, but it must be in (0, 1)"), "\(delta.stderr)")
    }
}
