/// Secure aggregation (Bonawitz et al. 2017; SecAgg+, Bell et al. 2020): the coordinator
/// learns the sum of the sampled sites' quantised updates and nothing of any single one.
/// Pure code, no I/O: the coordinator, the site and the in-process simulation drive it.
package enum SecureAggregation {
    /// Updates are summed as unsigned integers modulo 2³².
    package static let modulusBits = 32
}
