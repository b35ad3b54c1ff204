import FedObserve
import FedWire
import Foundation

/// Everything a site process needs: where the coordinator is, who the site is, and the
/// private data that never leaves it.
package struct SiteConfiguration: Sendable {
    package var coordinatorHost: String
    package var coordinatorPort: Int
    /// Folder with the site's cert.pem, key.pem and ca.pem (from `fedtune certs issue`).
    package var identity: URL
    /// The site's labelled CSV file.
    package var data: URL
    package var labelColumn: String
    /// The column (CSV) or key (JSON Lines) holding the text, for text models.
    package var textColumn = "text"
    /// Where base models received from the coordinator are kept, by digest.
    package var cache: URL
    /// Share of the data kept aside to evaluate the global model on.
    package var evaluationFraction: Double = 0.2
    package var seed: UInt64 = 0
    /// Reconnection attempts in a row after the network failed, with exponential backoff
    /// (a refusal is never retried).
    package var maximumReconnects = 120
    /// Longest time to keep trying without a connection, in seconds: long enough for a
    /// coordinator restart or a host reboot of a few minutes.
    package var maximumWait: Double = 600
    package var initialBackoff: Duration = .milliseconds(100)
    package var maximumBackoff: Duration = .seconds(5)
    package var limits = WireLimits()
    /// The largest base model this site accepts, in bytes (MiniLM's is 91 MB); a round's
    /// tensors may be at most as large as the base model they belong to.
    package var maximumModelBytes = 1 << 30
    /// Seconds from connecting to the coordinator's `welcome` (TLS handshake included).
    package var welcomeSeconds: Double = 30
    /// Counts local training for `/metrics` (`fedtune client --metrics`); nil counts nothing.
    package var meters: SiteMeters?

    package init(
        coordinatorHost: String,
        coordinatorPort: Int,
        identity: URL,
        data: URL,
        labelColumn: String,
        cache: URL
    ) {
        self.coordinatorHost = coordinatorHost
        self.coordinatorPort = coordinatorPort
        self.identity = identity
        self.data = data
        self.labelColumn = labelColumn
        self.cache = cache
    }
}
