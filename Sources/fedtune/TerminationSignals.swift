import Dispatch
import Foundation

/// Calls `body` once on SIGINT or SIGTERM instead of the default immediate exit, so a
/// daemon can close its connections and leave its state folder consistent.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ body: @escaping @Sendable () -> Void) {
        self.sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: body)
            source.resume()
            return source
        }
    }
}
