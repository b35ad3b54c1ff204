/// Why a round's update file could not be created, grown, written or read.
package enum UpdateStoreError: Error, Equatable, CustomStringConvertible {
    case cannotCreate(path: String, reason: String)
    /// The disk ran out of space while making room for `bytes` more.
    case diskFull(path: String, bytes: Int)
    case cannotWrite(path: String, reason: String)
    case cannotMap(path: String, bytes: Int, reason: String)
    case wrongLength(path: String, expected: Int, found: Int)

    package var description: String {
        switch self {
        case .cannotCreate(let path, let reason):
            "cannot create the round's update file \(path): \(reason); check that the state folder exists and is writable"
        case .diskFull(let path, let bytes):
            "the disk holding \(path) is full: the round's updates need \(Self.megabytes(bytes)) more; "
                + "free space there, or sample fewer sites per round"
        case .cannotWrite(let path, let reason):
            "cannot write an update to \(path): \(reason); check the disk holding the state folder"
        case .cannotMap(let path, let bytes, let reason):
            "cannot memory-map the round's updates in \(path) (\(Self.megabytes(bytes))): \(reason); "
                + "raise the process's address-space limit (ulimit -v) or sample fewer sites per round"
        case .wrongLength(let path, let expected, let found):
            "an update of \(found) values was given to \(path), which holds updates of \(expected) values"
        }
    }

    private static func megabytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
