/// The few kinds a round failure's free-text reason falls in, so the `reason` label of
/// `fedtune_site_failures_total` takes a bounded set of values and never carries what a
/// site wrote.
package enum FailureCategory: String, Sendable, CaseIterable {
    /// No report before the round's deadline.
    case deadline
    /// The connection ended during the round.
    case disconnected
    /// The site sent a `failure` saying why it stopped.
    case stopped
    /// Secure aggregation left the site out or failed for it.
    case secureAggregation = "secure_aggregation"
    /// The update was refused (invalid shape, values, example count, …).
    case rejected

    /// The category of a reason as the round machine and the core write it in rounds.jsonl.
    package init(reason: String) {
        if reason.hasPrefix("no report before the deadline") {
            self = .deadline
        } else if reason == "disconnected" {
            self = .disconnected
        } else if reason.hasPrefix("the site stopped") {
            self = .stopped
        } else if reason.contains("secure aggregation") {
            self = .secureAggregation
        } else {
            self = .rejected
        }
    }
}
