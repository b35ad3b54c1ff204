import FedData
import FedLearning
import FedReport
import Foundation

extension Scenario {
    /// `positive_class` and the rare-class expectations (`min_pr_auc`, `beat_local_pr_auc`).
    mutating func readRareClass(_ file: ScenarioFile, invalid: (String) -> ScenarioError) throws {
        if let positive = file.positiveClass {
            guard self.image == nil else {
                throw invalid(
                    "positive_class is for tabular scenarios; an image scenario names it as image.positive_class"
                )
            }
            guard !positive.isEmpty else { throw invalid("positive_class must name a class, e.g. \"1\"") }
            self.positiveClass = positive
        }
        self.expectations.minimumPRAUC = file.expect?.minPRAUC
        self.expectations.beatLocalPRAUC = file.expect?.beatLocalPRAUC ?? false
        if let minimum = self.expectations.minimumPRAUC, !(minimum.isFinite && (0...1).contains(minimum)) {
            throw invalid("expect.min_pr_auc must be in [0, 1], not \(minimum)")
        }
        let asks = self.expectations.minimumPRAUC != nil || self.expectations.beatLocalPRAUC
        if asks, self.positiveClass == nil, self.image?.positiveClass == nil {
            throw invalid("expect.min_pr_auc and beat_local_pr_auc need positive_class (the rare class, e.g. \"1\")")
        }
    }

    /// `partition: ranges` with `column` (and optionally `mix: {column, share}`).
    static func rangesPartition(_ file: ScenarioFile, invalid: (String) -> ScenarioError) throws -> Partition {
        guard let column = file.column else {
            throw invalid("partition ranges needs column: NAME (a numeric column such as time)")
        }
        if let mix = file.mix {
            guard mix.share.isFinite, (0...1).contains(mix.share) else {
                throw invalid("mix.share must be in [0, 1], not \(mix.share)")
            }
            guard mix.column != column else { throw invalid("mix.column must differ from column ('\(column)')") }
        }
        return .ranges(column: column, mix: file.mix)
    }

    /// The columns whose raw values the partition reads (`partition: ranges`), beyond the features.
    var rangeColumns: (column: String, mix: RangeMix?)? {
        if case .ranges(let column, let mix) = self.partition { return (column, mix) }
        return nil
    }
}

extension Scenario.Expectations {
    /// The rare-class expectations, checked on the federated model's and the sites' alone
    /// PR-AUC on the global test set.
    func checkRareClass(
        _ results: RunResults,
        siteNames: [String]
    ) -> (expectations: [Expectation], unchecked: [String]) {
        var list: [Expectation] = []
        var unchecked: [String] = []
        func number(_ value: Double) -> String { String(format: "%.4f", value) }
        let federated = results.federated.binary?.averagePrecision
        if let minimum = self.minimumPRAUC {
            if let federated {
                list.append(
                    Expectation(
                        text: "federated PR-AUC is at least \(number(minimum))",
                        passed: federated >= minimum,
                        observed: number(federated)
                    )
                )
            } else {
                unchecked.append("min_pr_auc (the model has no two-class rare-class scores)")
            }
        }
        if self.beatLocalPRAUC {
            let alone = results.sitesAlone?.compactMap { $0.test.binary?.averagePrecision }
            if let federated, let alone, !alone.isEmpty, alone.count == siteNames.count {
                let best = alone.indices.max { alone[$0] < alone[$1] }!
                let mean = alone.reduce(0, +) / Double(alone.count)
                list.append(
                    Expectation(
                        text: "federated PR-AUC beats every site alone and their mean",
                        passed: alone.allSatisfy { federated > $0 } && federated > mean,
                        observed: "\(number(federated)) vs best \(siteNames[best]) \(number(alone[best])), "
                            + "mean \(number(mean))"
                    )
                )
            } else {
                unchecked.append("beat_local_pr_auc (the sites-alone baseline was skipped)")
            }
        }
        return (list, unchecked)
    }
}
