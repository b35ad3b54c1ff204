import FedData
import FedFetch
import FedLearning
import Foundation

extension SimulationSetup where Model == TextClassifier {
    /// A text federation: a pretrained BERT encoder with a new classification head (and new
    /// adapters in LoRA mode), each site's texts tokenised once for the whole run.
    static func text(_ scenario: Scenario, cache: ArtifactCache, log: @escaping (String) -> Void) throws -> Self {
        func invalid(_ detail: String) -> ScenarioError { .invalid(path: scenario.name, detail: detail) }
        guard let textColumn = scenario.textColumn else { throw invalid("a text scenario needs text_column") }
        let url = try scenario.dataFile(cache: cache, log: log)
        let data = try LabeledTexts.read(url, textColumn: textColumn, labelColumn: scenario.labelColumn)
        var groups: [String]?
        if case .byColumn(let column) = scenario.partition {
            guard let values = data.extraColumns[column] else {
                let available = data.extraColumns.keys.sorted().joined(separator: ", ")
                throw invalid(
                    "partition column '\(column)' is not a column of \(url.path) (other columns: \(available))"
                )
            }
            groups = values
        }
        let plan = try DataPlan(
            labels: data.labels,
            classCount: data.classNames.count,
            groups: groups,
            scenario: scenario,
            pretrainClasses: nil,
            pretrainExamples: nil
        )

        guard let name = scenario.model else {
            throw invalid("a text scenario needs model (a BERT folder or a cached model)")
        }
        let folder =
            FileManager.default.fileExists(atPath: name)
            ? URL(fileURLWithPath: name) : try cache.model(named: name, log: log)
        var pretrained = try PretrainedBert.load(folder)
        if let length = scenario.maxLength { pretrained.maxLength = length }
        let model = try TextClassifier(
            pretrained: pretrained,
            classNames: data.classNames,
            fineTuning: scenario.fineTuning,
            dropout: scenario.dropout,
            seed: scenario.seed
        )
        // The linear probe trains a head on the frozen encoder; in head mode that is the model itself.
        let probe =
            scenario.fineTuning.mode == .head
            ? model
            : try TextClassifier(
                pretrained: pretrained,
                classNames: data.classNames,
                fineTuning: FineTuning(mode: .head),
                dropout: scenario.dropout,
                seed: scenario.seed
            )

        func examples(_ indices: [Int]) -> TextExamples {
            model.examples(texts: indices.map { data.texts[$0] }, labels: indices.map { data.labels[$0] })
        }
        let sites = plan.siteNames.indices.map { site in
            SimulatedSite(
                name: plan.siteNames[site],
                train: examples(plan.siteTrain[site]),
                heldOut: examples(plan.siteHeldOut[site]),
                file: .texts(
                    texts: plan.sites[site].map { data.texts[$0] },
                    labels: plan.sites[site].map { data.classNames[data.labels[$0]] }
                )
            )
        }
        // Embedding thousands of texts takes minutes: say how far it is, every 10 s and at the end.
        for classifier in model === probe ? [model] : [model, probe] {
            var line = ProgressLine(unit: "text")
            var shown = Date()
            classifier.onEmbedding = { done, total in
                if done == 0 {
                    (line, shown) = (ProgressLine(unit: "text"), Date())
                } else if done == total || Date().timeIntervalSince(shown) >= 10 {
                    log("embedding texts: \(line.text(done: done, of: total))")
                    shown = Date()
                }
            }
        }
        var setup = Self(model: model, sites: sites, test: examples(plan.test), probe: probe)
        let tuning = scenario.fineTuning
        let mode: String
        switch tuning.mode {
        case .head: mode = "head (frozen encoder)"
        case .lastLayers: mode = "last \(tuning.layers) layers"
        case .lora:
            let lora = tuning.lora
            mode =
                "LoRA r=\(lora.rank) α=\(String(format: "%g", lora.alpha)) on \(lora.targets.joined(separator: "+"))"
                + (lora.exact ? ", exact aggregation (FedEx-LoRA residual)" : "")
        case .full: mode = "full"
        }
        setup.settings = [
            ("model", "\(folder.lastPathComponent) + linear head"), ("fine-tuning", mode),
            ("trainable parameters", "\(model.parameters.trainableScalarCount)"),
            ("max length", "\(model.architecture.maxLength) tokens"),
        ]
        setup.notes.append(
            "The pretrained baseline is a linear probe: a new head trained on the frozen encoder's pooled embeddings "
                + "of all sites' training data pooled, for as many epochs as centralised training."
                + (tuning.mode == .head
                    ? " In head mode that is exactly what centralised fine-tuning trains, so the two coincide." : "")
        )
        return setup
    }
}
