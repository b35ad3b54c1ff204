import FedTestSupport
import Testing

extension Chromium {
    /// The installed Chromium; records a failure naming the fix when it is missing.
    static func required(sourceLocation: SourceLocation = #_sourceLocation) -> Chromium? {
        if let chromium = self.find() { return chromium }
        Issue.record(
            "chromium is not installed: run scripts/install-deps --test (it installs Debian's chromium package)",
            sourceLocation: sourceLocation
        )
        return nil
    }
}
