import FedSupport

/// The metrics a site may report with an update or an evaluation: a few, with short plain
/// names (`loss`, `accuracy`, `macro_f1`, …), so a site cannot swell the records or forge
/// a log line with what it names.
package enum SiteMetrics {
    package static let maximumCount = 32
    package static let maximumNameLength = 64

    /// Why `metrics` cannot be recorded as sent, or nil when they can.
    package static func problem(_ metrics: [String: Double]) -> String? {
        if metrics.count > self.maximumCount {
            return "\(metrics.count) metrics sent; at most \(self.maximumCount) are recorded"
        }
        if let name = metrics.keys.sorted().first(where: { !self.isValid($0) }) {
            return "metric name '\(UntrustedText.clean(name, maximumBytes: 80))' is not 1–\(self.maximumNameLength) "
                + "letters, digits, '_', '.' or '-'"
        }
        return nil
    }

    /// The metrics with a valid name, at most `maximumCount` of them (by name).
    package static func kept(_ metrics: [String: Double]) -> [String: Double] {
        let names = metrics.keys.filter(self.isValid).sorted().prefix(self.maximumCount)
        return Dictionary(uniqueKeysWithValues: names.map { ($0, metrics[$0]!) })
    }

    private static func isValid(_ name: String) -> Bool {
        (1...self.maximumNameLength).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x5F || byte == 0x2E || byte == 0x2D
            }
    }
}
