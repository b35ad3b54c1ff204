import Dispatch
import Foundation

/// Calls `body` on SIGINT or SIGTERM (or the `signals` given, SIGHUP say) instead of the
/// default immediate exit, so a daemon can close its connections and leave its state
/// folder consistent, or reload its access lists.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32] = [SIGINT, SIGTERM], _ body: @escaping @Sendable () -> Void) {
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: body)
            source.resume()
            return source
        }
    }
}
