/// The rule for site names: they become a certificate's common name and a folder name under `sites/`, so they
/// are restricted to characters that are safe in both places.
package enum SiteName {
    /// The longest name accepted; a common name may hold 64 characters.
    package static let maximumLength = 64

    /// Whether `name` is 1–64 characters from `A-Z a-z 0-9 . _ -` and not `.` or `..` (which would escape `sites/`).
    package static func isValid(_ name: String) -> Bool {
        guard (1...Self.maximumLength).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// Throws ``PKIError/invalidSiteName(_:)`` unless `name` is valid.
    package static func validate(_ name: String) throws {
        guard Self.isValid(name) else { throw PKIError.invalidSiteName(name) }
    }
}
