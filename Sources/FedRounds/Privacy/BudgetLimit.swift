extension FederationCore {
    /// The rounds a privacy budget allows, when fewer than the policy's.
    package struct BudgetLimit: Sendable, Equatable {
        /// Rounds in all (done and to come) whose ε stays within the target.
        package var rounds: Int
        package var wanted: Int
        /// ε after `rounds` rounds, and after one more.
        package var epsilon: Double
        package var nextEpsilon: Double
        package var target: Double
        package var delta: Double

        /// The sentence a shell prints.
        package var description: String {
            "the privacy budget allows \(self.rounds) of the \(self.wanted) rounds: ε = "
                + "\(Self.short(self.epsilon)) at δ = \(self.delta) after round \(self.rounds); round "
                + "\(self.rounds + 1) would bring it to \(Self.short(self.nextEpsilon)), above the target "
                + "\(Self.short(self.target))"
        }

        static func short(_ value: Double) -> String {
            let scaled = (value * 1000).rounded() / 1000
            return "\(scaled)"
        }
    }
}
