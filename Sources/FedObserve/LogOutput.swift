import FedSupport
import Foundation
import Logging

/// How log lines look: `text` for a terminal and journald, `json` (one object per line) for
/// log pipelines (Loki, Elasticsearch, `jq`).
package enum LogFormat: String, CaseIterable, Sendable {
    case text
    case json
}

/// fedtune's swift-log handler: one line per event on standard error, in `format`.
///
///     2026-12-07T10:02:11.412Z info fedtune.coordinator: round closed round.number=3 round.train_loss=0.4153
///     {"time":"2026-12-07T10:02:11.412Z","level":"info","logger":"fedtune.coordinator","message":"round closed","round.number":3,"round.train_loss":0.4153}
///
/// In JSON, a metadata value that reads as a number is written as one, so a pipeline can
/// compare and chart it without parsing strings.
package struct LogOutput: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let write: @Sendable (String) -> Void

    package init(
        label: String,
        level: Logger.Level,
        format: LogFormat,
        write: @escaping @Sendable (String) -> Void = LogOutput.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        if let error = event.error { merged["error"] = "\(error)" }
        self.write(
            Self.line(
                time: Date(), level: event.level, label: self.label, message: "\(event.message)", metadata: merged,
                format: self.format) + "\n")
    }

    /// One event as a line (without its newline).
    package static func line(
        time: Date,
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata,
        format: LogFormat
    ) -> String {
        let stamp = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let keys = metadata.keys.sorted()
        switch format {
        case .text:
            let fields = keys.map { key in
                let value = Self.flat(metadata[key]!)
                let quoted = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
                return "\(key)=" + (quoted ? Self.quote(value) : value)
            }
            return ([stamp, level.rawValue, "\(label):", message] + fields).joined(separator: " ")
        case .json:
            var parts = [
                "\"time\":\(Self.quote(stamp))", "\"level\":\(Self.quote(level.rawValue))",
                "\"logger\":\(Self.quote(label))", "\"message\":\(Self.quote(message))",
            ]
            for key in keys {
                let value = Self.flat(metadata[key]!)
                parts.append("\(Self.quote(key)):" + (Self.isJSONNumber(value) ? value : Self.quote(value)))
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
    }

    /// A metadata value as one string (lists and dictionaries flattened, keys sorted).
    static func flat(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): "\(convertible)"
        case .array(let values): values.map(Self.flat).joined(separator: ",")
        case .dictionary(let values): values.keys.sorted().map { "\($0):\(Self.flat(values[$0]!))" }.joined(separator: ",")
        }
    }

    /// `text` as a JSON string literal (also how text lines quote values with spaces).
    static func quote(_ text: String) -> String { jsonString(text) }

    /// Whether `text` is a JSON number as written (no NaN, no leading +, no hex).
    static func isJSONNumber(_ text: String) -> Bool {
        text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
    }

    /// Writes to standard error, whole lines at once.
    package static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// The process's logging, set up once from `--log-level` and `--log-format`.
package enum LogSetup {
    /// Bootstraps swift-log for this process: every `Logger` writes through `LogOutput`.
    /// swift-log allows this once per process; the CLI calls it before anything logs.
    package static func bootstrap(level: Logger.Level, format: LogFormat) {
        LoggingSystem.bootstrap { label in LogOutput(label: label, level: level, format: format) }
    }
}

extension Logger.MetadataValue {
    /// A number as a log shows it: four significant digits (0.4153, 12.35, 1.5e-05), which
    /// is what an operator reads; the records keep full precision.
    package static func number(_ value: Double) -> Logger.MetadataValue {
        guard value.isFinite else { return .string("\(value)") }
        return .string(String(format: "%.4g", value))
    }
}
