/// Why bytes from a peer were refused. The connection that sent them is closed with
/// the reason logged; nothing a peer sends can stop the coordinator.
package enum WireError: Error, Equatable, CustomStringConvertible {
    case frameTooLarge(length: Int, limit: Int)
    case unknownFrameKind(UInt8)
    case malformedMessage(detail: String)
    case versionMismatch(ours: Int, theirs: Int)
    case unexpectedFrame(expected: String, found: String)
    case blobOverrun(announced: Int, received: Int)
    case blobSizeMismatch(announced: Int, received: Int)
    case blobDigestMismatch(expected: String, found: String)
    case blobTooLarge(bytes: Int, limit: Int)
    /// The connection closed before a blob's last chunk: the network, not the peer's protocol.
    case closedDuringBlob(announced: Int)

    package var description: String {
        switch self {
        case .frameTooLarge(let length, let limit):
            return "frame of \(length) bytes exceeds the \(limit)-byte limit"
        case .unknownFrameKind(let kind):
            return "unknown frame kind \(kind)"
        case .malformedMessage(let detail):
            return "malformed control message: \(detail)"
        case .versionMismatch(let ours, let theirs):
            return "protocol version mismatch: this side speaks \(ours), the peer speaks \(theirs) "
                + "---> HINT: run the same fedtune version on the coordinator and the sites"
        case .unexpectedFrame(let expected, let found):
            return "expected \(expected), received \(found)"
        case .blobOverrun(let announced, let received):
            return "tensor blob announced as \(announced) bytes, but \(received) arrived"
        case .blobSizeMismatch(let announced, let received):
            return "tensor blob announced as \(announced) bytes ended after \(received)"
        case .blobDigestMismatch(let expected, let found):
            return "tensor blob SHA-256 is \(found), its trailer says \(expected)"
        case .closedDuringBlob(let announced):
            return "the connection closed before a blob of \(announced) bytes had arrived"
        case .blobTooLarge(let bytes, let limit):
            return "tensor blob of \(bytes) bytes exceeds the \(limit)-byte limit for this message"
        }
    }
}
