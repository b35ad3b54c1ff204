import FedSupport
import Foundation
import NIOCore
import Testing

@testable import FedWire

struct MessageTests {
    static let examples: [Message] = [
        .hello(.init(modelDigests: ["ab12"])),
        .welcome(.init(site: "site-a", completedRounds: 2)),
        .model(.init(digest: "ab12", blob: .init(content: .baseModel, bytes: 4096))),
        .train(
            .init(
                round: 3,
                baseDigest: "ab12",
                configuration: .object(["epochs": .number(1), "optimizer": .string("sgd")]),
                blob: .init(content: .trainable, bytes: 1024)
            )
        ),
        .update(.init(round: 3, examples: 360, metrics: ["loss": 0.5], blob: .init(content: .delta, bytes: 1024))),
        .evaluate(.init(round: 3, baseDigest: "ab12", blob: .init(content: .trainable, bytes: 10))),
        .evaluation(.init(round: 3, examples: 40, metrics: ["accuracy": 0.9])),
        .failure(.init(message: "bad")),
        .finished(.init(rounds: 10)),
    ]

    @Test(arguments: examples)
    func everyMessageRoundTripsThroughAControlFrame(message: Message) throws {
        #expect(try Message(frame: message.frame()) == message)
    }

    @Test func wireFormatIsTypeAndBody() throws {
        let frame = try Message.finished(.init(rounds: 10)).frame()

        #expect(String(buffer: frame.payload) == #"{"body":{"rounds":10},"type":"finished"}"#)
    }

    @Test func malformedMessagesNameWhatIsWrong() {
        func decode(_ json: String) throws -> Message {
            try Message(frame: Frame(kind: .control, payload: ByteBuffer(string: json)))
        }

        #expect(throws: WireError.malformedMessage(detail: "missing field 'body.round'")) {
            try decode(#"{"type":"evaluation","body":{"examples":1,"metrics":{}}}"#)
        }
        #expect(throws: WireError.self) { try decode(#"{"type":"teleport","body":{}}"#) }
        #expect(throws: WireError.self) { try decode("not json") }
        #expect(throws: WireError.unexpectedFrame(expected: "a control message", found: "a chunk frame")) {
            try Message(frame: Frame(kind: .chunk, payload: ByteBuffer()))
        }
    }

    @Test func versionMismatchNamesBothVersions() {
        let error = #expect(throws: WireError.self) { try Message.checkVersion(2) }

        #expect("\(error!)".contains("this side speaks 1, the peer speaks 2"))
    }
}
