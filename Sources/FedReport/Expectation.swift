/// One thing the scenario expects of its run, e.g. "federated beats every site alone",
/// and whether the run met it.
package struct Expectation: Codable, Sendable, Equatable {
    package var text: String
    package var passed: Bool
    /// What was measured, as it should be shown, e.g. "0.842 vs 0.761".
    package var observed: String?

    package init(text: String, passed: Bool, observed: String? = nil) {
        self.text = text
        self.passed = passed
        self.observed = observed
    }
}
