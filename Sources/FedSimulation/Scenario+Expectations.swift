import FedLearning
import FedReport
import Foundation

extension Scenario.Expectations {
    /// Each expectation the scenario states, checked against what the run measured; one
    /// that needs a skipped baseline is listed in `unchecked` instead of passing quietly.
    func check(_ results: RunResults, siteNames: [String]) -> (expectations: [Expectation], unchecked: [String]) {
        var list: [Expectation] = []
        var unchecked: [String] = []
        let federated = results.federated
        func number(_ value: Double) -> String { String(format: "%.4f", value) }
        if let minimum = self.minimumAccuracy {
            list.append(
                Expectation(
                    text: "federated accuracy is at least \(number(minimum))",
                    passed: federated.accuracy >= minimum,
                    observed: number(federated.accuracy)
                )
            )
        }
        if let minimum = self.minimumMacroF1 {
            let f1 = federated.metrics.macroF1
            list.append(
                Expectation(
                    text: "federated macro-F1 is at least \(number(minimum))",
                    passed: f1 >= minimum,
                    observed: number(f1)
                )
            )
        }
        if self.beatPretrained {
            if let pretrained = results.pretrained {
                let what = results.probe ? "the pretrained encoder's linear probe" : "the pretrained model"
                list.append(
                    Expectation(
                        text: "federated beats \(what)",
                        passed: federated.accuracy > pretrained.accuracy,
                        observed: "\(number(federated.accuracy)) vs \(number(pretrained.accuracy))"
                    )
                )
            } else {
                unchecked.append("beat_pretrained (the pretrained baseline was skipped)")
            }
        }
        if self.beatLocal {
            if let alone = results.sitesAloneMean {
                list.append(
                    Expectation(
                        text: "federated beats the sites fine-tuning alone (mean)",
                        passed: federated.accuracy > alone.accuracy,
                        observed: "\(number(federated.accuracy)) vs \(number(alone.accuracy))"
                    )
                )
            } else {
                unchecked.append("beat_local (the sites-alone baseline was skipped)")
            }
        }
        if let gap = self.maximumGapToCentralised {
            if let centralised = results.centralised {
                list.append(
                    Expectation(
                        text: "federated is within \(number(gap)) of centralised training",
                        passed: federated.accuracy >= centralised.accuracy - gap,
                        observed: "\(number(federated.accuracy)) vs \(number(centralised.accuracy))"
                    )
                )
            } else {
                unchecked.append("max_gap_to_centralised (the centralised baseline was skipped)")
            }
        }
        if let minimum = self.minimumWorstSiteAccuracy {
            if let worst = results.worstSite {
                list.append(
                    Expectation(
                        text: "the global model scores at least \(number(minimum)) on every site's own held-out data",
                        passed: worst.accuracy >= minimum,
                        observed: "worst: \(siteNames[worst.index]) \(number(worst.accuracy))"
                    )
                )
            } else {
                unchecked.append("min_worst_site_accuracy (no site holds data out)")
            }
        }
        if let minimum = self.minimumNewClassRecall, let recall = results.newClassRecall {
            list.append(
                Expectation(
                    text: "mean recall of the classes pretraining never saw is at least \(number(minimum))",
                    passed: recall >= minimum,
                    observed: number(recall)
                )
            )
        }
        let rare = self.checkRareClass(results, siteNames: siteNames)
        return (list + rare.expectations, unchecked + rare.unchecked)
    }
}
