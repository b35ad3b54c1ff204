import FedSupport
import Foundation
import NIOCore

extension Message: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, body
    }

    /// The `type` string of each case.
    package var type: String {
        switch self {
        case .hello: "hello"
        case .welcome: "welcome"
        case .model: "model"
        case .train: "train"
        case .update: "update"
        case .evaluate: "evaluate"
        case .evaluation: "evaluation"
        case .failure: "failure"
        case .finished: "finished"
        case .secure: "secure"
        case .ping: "ping"
        }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "hello": self = .hello(try container.decode(Hello.self, forKey: .body))
        case "welcome": self = .welcome(try container.decode(Welcome.self, forKey: .body))
        case "model": self = .model(try container.decode(Model.self, forKey: .body))
        case "train": self = .train(try container.decode(Train.self, forKey: .body))
        case "update": self = .update(try container.decode(Update.self, forKey: .body))
        case "evaluate": self = .evaluate(try container.decode(Evaluate.self, forKey: .body))
        case "evaluation": self = .evaluation(try container.decode(Evaluation.self, forKey: .body))
        case "failure": self = .failure(try container.decode(Failure.self, forKey: .body))
        case "finished": self = .finished(try container.decode(Finished.self, forKey: .body))
        case "secure": self = .secure(try container.decode(Secure.self, forKey: .body))
        case "ping": self = .ping
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type,
                in: container,
                debugDescription: "unknown message type '\(type)'"
            )
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.type, forKey: .type)
        switch self {
        case .hello(let body): try container.encode(body, forKey: .body)
        case .welcome(let body): try container.encode(body, forKey: .body)
        case .model(let body): try container.encode(body, forKey: .body)
        case .train(let body): try container.encode(body, forKey: .body)
        case .update(let body): try container.encode(body, forKey: .body)
        case .evaluate(let body): try container.encode(body, forKey: .body)
        case .evaluation(let body): try container.encode(body, forKey: .body)
        case .failure(let body): try container.encode(body, forKey: .body)
        case .finished(let body): try container.encode(body, forKey: .body)
        case .secure(let body): try container.encode(body, forKey: .body)
        case .ping: try container.encode([String: Int](), forKey: .body)
        }
    }

    /// The message as a control frame.
    package func frame() throws -> Frame {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Frame(kind: .control, payload: ByteBuffer(bytes: try encoder.encode(self)))
    }

    /// Reads a control frame; any other frame, or JSON that is not a v1 message, is an error.
    package init(frame: Frame) throws {
        guard frame.kind == .control else {
            throw WireError.unexpectedFrame(expected: "a control message", found: "a \(frame.kind) frame")
        }
        do {
            self = try JSONDecoder().decode(Message.self, from: Data(frame.payload.readableBytesView))
        } catch let error as DecodingError {
            throw WireError.malformedMessage(detail: error.fieldDescription)
        }
    }

    /// Checks the peer's protocol version against ours.
    package static func checkVersion(_ theirs: Int) throws {
        guard theirs == self.protocolVersion else {
            throw WireError.versionMismatch(ours: self.protocolVersion, theirs: theirs)
        }
    }
}
