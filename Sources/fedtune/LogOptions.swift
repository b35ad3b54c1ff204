import ArgumentParser
import FedObserve
import Logging

/// `--log-level` and `--log-format`, for the commands that run as daemons.
struct LogOptions: ParsableArguments {
    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info
    @Option(help: "text (one line per event) or json (one JSON object per line, for log pipelines).")
    var logFormat: LogFormat = .text

    /// Sets up this process's logging; call once, before anything logs.
    func bootstrap() {
        LogSetup.bootstrap(level: self.logLevel, format: self.logFormat)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
