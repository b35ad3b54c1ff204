import FedSweep
import Testing

@Suite struct SearchSpaceTests {
    private func refusal(_ text: String) -> String {
        do {
            _ = try SearchSpace.parse(text, path: "space.yaml")
            return ""
        } catch {
            return error.description
        }
    }

    @Test func readsEveryKindOfRangeInKeyOrder() throws {
        let space = try SearchSpace.parse(
            """
            clip_norm: {low: 1, high: 20, log: true}
            learning_rate: {low: 0.0003, high: 0.03, log: true}
            local_epochs: {low: 1, high: 4}
            batch_size: {low: 8, high: 128, log: true}
            proximal_mu: {choices: [0, 0.01, 0.1]}
            server_learning_rate: {low: 0.1, high: 1}
            """,
            path: "space.yaml"
        )
        #expect(space.parameters.map(\.key) == SweepKey.allCases)
        #expect(space.parameters[0].distribution == .real(low: 0.0003, high: 0.03, log: true))
        #expect(space.parameters[1].distribution == .integer(low: 1, high: 4, log: false))
        #expect(space.parameters[2].distribution == .integer(low: 8, high: 128, log: true))
        #expect(space.parameters[3].distribution == .choice([0, 0.01, 0.1]))
        #expect(space.parameters[4].distribution == .real(low: 0.1, high: 1, log: false))
    }

    @Test func refusesAnEmptyOrInvertedRangeWithLineKeyAndValues() {
        let empty = self.refusal("learning_rate: {low: 0.01, high: 0.01, log: true}\n")
        #expect(empty.hasPrefix("space.yaml: line 1"))
        #expect(empty.contains("'learning_rate'") && empty.contains("low 0.01 and high 0.01 make an empty range"))
        let inverted = self.refusal("local_epochs: {low: 1, high: 3}\nclip_norm:\n  low: 10\n  high: 2\n")
        #expect(inverted.hasPrefix("space.yaml: line 4"))
        #expect(inverted.contains("'clip_norm'") && inverted.contains("low 10 and high 2 make an inverted range"))
    }

    @Test func refusesALowAtOrBelowZeroOnALogScale() {
        let zero = self.refusal("proximal_mu: {low: 0, high: 0.1, log: true}\n")
        #expect(zero.contains("line 1") && zero.contains("'proximal_mu'"))
        #expect(zero.contains("low 0 is not above 0, which a log scale needs"))
        let negative = self.refusal("server_learning_rate: {low: -1, high: 1, log: true}\n")
        #expect(negative.contains("low -1 is not above 0"))
    }

    @Test func refusesAnUnknownKeyNamingTheKnownOnes() {
        let unknown = self.refusal("learning_rate: {low: 0.001, high: 0.1, log: true}\nmomentum: {low: 0, high: 1}\n")
        #expect(unknown.contains("line 2") && unknown.contains("unknown key 'momentum'"))
        #expect(unknown.contains("learning_rate") && unknown.contains("clip_norm"))
        let field = self.refusal("learning_rate: {low: 0.001, hgh: 0.1}\n")
        #expect(field.contains("unknown key 'learning_rate.hgh'"))
        let camel = self.refusal("learningRate: {low: 0.001, high: 0.1}\n")
        #expect(camel.contains("'learningRate' is spelt 'learning_rate'"))
    }

    @Test func refusesAnEmptyFileChoicesAndValuesTheScenarioCannotTake() {
        #expect(self.refusal("# nothing yet\n").contains("names no setting to search"))
        #expect(self.refusal("batch_size: {choices: []}\n").contains("the list of choices is empty"))
        #expect(self.refusal("batch_size: {choices: [16, 24.5]}\n").contains("choice 24.5 is not a whole number"))
        #expect(self.refusal("local_epochs: {low: 0, high: 3}\n").contains("low 0 is below the smallest allowed, 1"))
        #expect(self.refusal("local_epochs: {low: 1, high: 2.5}\n").contains("must be whole numbers"))
        #expect(self.refusal("learning_rate: {low: 0.1}\n").contains("give low and high"))
        #expect(self.refusal("clip_norm: {choices: [1, 2], low: 1}\n").contains("not both"))
        #expect(self.refusal("learning_rate: {low: 0.001, high: x}\n").contains("line 1"))
    }
}
