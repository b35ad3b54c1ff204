import FedObserve
import Foundation
import Logging
import Testing

/// Log lines as `LogOutput` writes them: text for people, JSON for pipelines, short numbers.
struct LogOutputTests {
    static let time = Date(timeIntervalSince1970: 1_796_630_531.25)

    @Test func textLinesNameTheLevelAndLoggerAndQuoteValuesWithSpaces() {
        let line = LogOutput.line(
            time: Self.time, level: .notice, label: "fedtune.coordinator", message: "site left",
            metadata: ["client.id": "site-a", "reason": "the site stopped: data \"x\" missing", "round.number": "3"],
            format: .text)
        #expect(
            line
                == #"2026-12-07T08:02:11.250Z notice fedtune.coordinator: site left client.id=site-a reason="the site stopped: data \"x\" missing" round.number=3"#
        )
    }

    @Test func jsonLinesAreOneObjectWithNumbersAsNumbers() throws {
        let line = LogOutput.line(
            time: Self.time, level: .info, label: "fedtune.client", message: "update sent\nnext",
            metadata: [
                "round.number": "12", "train.loss": .number(0.415_323_456), "tiny": .number(1.5e-5),
                "nan": .number(.nan), "sites": .array(["a", "b"]), "version": "1.2.3", "hex": "0x10",
            ],
            format: .json)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2026-12-07T08:02:11.250Z")
        #expect(object["level"] as? String == "info" && object["logger"] as? String == "fedtune.client")
        #expect(object["message"] as? String == "update sent\nnext")
        #expect(object["round.number"] as? Int == 12)
        #expect(object["train.loss"] as? Double == 0.4153)
        #expect(object["tiny"] as? Double == 1.5e-5)
        #expect(object["nan"] as? String == "nan", "NaN is no JSON number: it stays a string")
        #expect(object["sites"] as? String == "a,b")
        #expect(object["version"] as? String == "1.2.3" && object["hex"] as? String == "0x10")
    }

    @Test func numbersKeepFourSignificantDigits() {
        let shown = [0.702_222_2, 12.345_67, 3, 1_234_567, 0.000_012_34].map { "\(Logger.MetadataValue.number($0))" }
        #expect(shown == ["0.7022", "12.35", "3", "1.235e+06", "1.234e-05"])
    }

    @Test func theHandlerWritesOnlyWhatItsLevelAllows() {
        let lines = LockedLines()
        var logger = Logger(label: "fedtune.test") { label in
            LogOutput(label: label, level: .warning, format: .json, write: { lines.append($0) })
        }
        logger[metadataKey: "site"] = "site-a"
        logger.info("not written")
        logger.warning("written", metadata: ["round.number": "2"])
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.hasSuffix("\n") == true)
        #expect(lines.all.first?.contains(#""round.number":2,"site":"site-a"}"#) == true, "\(lines.all)")
    }
}

/// Lines written from any thread.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { self.lock.withLock { self.lines.append(line) } }
    var all: [String] { self.lock.withLock { self.lines } }
}
