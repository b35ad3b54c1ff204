import Foundation

/// `fedtune datasets synthetic`: writes a source domain to pretrain on and a shifted
/// target domain to fine-tune on, as CSV files, so the whole workflow can be tried with
/// no download.
package enum SyntheticDemo {
    package struct Files: Sendable {
        package var source: URL
        package var target: URL
        package var targetTest: URL
    }

    package static func write(
        to folder: URL,
        features: Int = 16,
        classes: Int = 5,
        noise: Float = 3,
        shift: Float = 1.5,
        seed: UInt64 = 0
    ) throws -> Files {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = SyntheticDomain(features: features, classes: classes, noise: noise, worldSeed: seed &+ 7)
        var target = source
        target.shift = shift
        let files = Files(
            source: folder.appendingPathComponent("source.csv"),
            target: folder.appendingPathComponent("target.csv"),
            targetTest: folder.appendingPathComponent("target-test.csv")
        )
        try source.sample(count: 4000, seed: seed &+ 1).writeCSV(to: files.source)
        try target.sample(count: 400, seed: seed &+ 2).writeCSV(to: files.target)
        try target.sample(count: 2000, seed: seed &+ 3).writeCSV(to: files.targetTest)
        return files
    }
}
