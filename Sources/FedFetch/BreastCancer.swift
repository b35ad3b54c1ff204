import Foundation

/// `breast-cancer`: the Wisconsin diagnostic breast cancer data bundled in scikit-learn
/// (569 samples × 30 features), as a numeric CSV with sklearn's feature names and a final
/// `label` column of class names.
enum BreastCancer {
    static let member = "sklearn/datasets/data/breast_cancer.csv"
    static let fileName = "breast-cancer.csv"
    /// The names `sklearn.datasets.load_breast_cancer` gives the columns, in file order
    /// (they are not in the CSV itself).
    static let featureNames = [
        "mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness", "mean compactness",
        "mean concavity", "mean concave points", "mean symmetry", "mean fractal dimension",
        "radius error", "texture error", "perimeter error", "area error", "smoothness error", "compactness error",
        "concavity error", "concave points error", "symmetry error", "fractal dimension error",
        "worst radius", "worst texture", "worst perimeter", "worst area", "worst smoothness", "worst compactness",
        "worst concavity", "worst concave points", "worst symmetry", "worst fractal dimension",
    ]

    /// sklearn's file starts with `569,30,malignant,benign`: the row count, the feature
    /// count, then the class names by target index (0 = malignant, 1 = benign). Each row
    /// is 30 numbers and the target index. Numbers are copied as written.
    static func convert(source: URL, output: URL) throws -> [String] {
        let url = source.appendingPathComponent(self.member)
        let lines = try NumericCSV.lines(url)
        guard let first = lines.first else { throw FetchError.unexpectedContent(path: url.path, detail: "empty file") }
        let counts = first.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard counts.count >= 3, let rowCount = Int(counts[0]), let featureCount = Int(counts[1]),
            featureCount == self.featureNames.count
        else {
            throw FetchError.unexpectedContent(
                path: url.path,
                detail: "line 1 is '\(first)', expected '<rows>,30,<class names…>'"
            )
        }
        let classNames = Array(counts[2...])
        let rows = try NumericCSV.rows(
            lines.dropFirst(),
            path: url.path,
            firstLine: 2,
            features: featureCount,
            classNames: classNames
        )
        guard rows.count == rowCount else {
            throw FetchError.unexpectedContent(
                path: url.path,
                detail: "line 1 says \(rowCount) rows, found \(rows.count)"
            )
        }
        try CSVText.write(
            header: self.featureNames + ["label"],
            rows: rows,
            to: output.appendingPathComponent(self.fileName)
        )
        return [self.fileName]
    }
}
