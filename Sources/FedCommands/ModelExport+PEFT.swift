import FedLearning
import FedRounds
import FedSupport
import FedTensor
import Foundation
import OrderedCollections

extension ModelExport {
    /// A LoRA fine-tune as a Hugging Face PEFT adapter folder for the pretrained BertModel it
    /// was trained from: `adapter_config.json` and `adapter_model.safetensors`
    /// (`base_model.model.<module>.lora_A.weight` [r, in], `….lora_B.weight` [out, r], the
    /// names `PeftModel.from_pretrained` loads), and the head in `classifier.safetensors`
    /// (`weight` [classes, hidden], `bias`), which classifies the mean-pooled embedding.
    /// `target_modules` is a regular expression naming exactly the adapted modules, because
    /// PEFT matches a list entry like `output.dense` against every module ending so.
    package static func exportPEFT(
        folder: URL,
        to output: URL,
        baseName: String? = nil,
        bases: BaseModelLocator = .standard
    ) throws {
        guard !FileManager.default.fileExists(atPath: output.path) else {
            throw Refusal.outputExists(path: output.path)
        }
        guard case .text(let model) = try AnyClassifier.load(folder, bases: bases) else {
            throw Refusal.tabularModel(path: folder.path)
        }
        let fineTuning = model.architecture.fineTuning
        guard fineTuning.mode == .lora else {
            throw Refusal.notLoRA(path: folder.path, mode: fineTuning.mode.rawValue)
        }
        // A residual of zeros changes nothing; any other cannot be written as an adapter.
        let residual = model.parameters.entries.first {
            LoRAExactAggregation.isResidual($0.name) && $0.value.scalars.contains { $0 != 0 }
        }
        guard residual == nil else { throw Refusal.exactResidual(path: folder.path) }
        var adapters: OrderedDictionary<String, Tensor> = [:]
        var head: OrderedDictionary<String, Tensor> = [:]
        var modules: [String] = []
        for entry in model.parameters.entries {
            if entry.name.hasPrefix(TextClassifier.headPrefix) {
                head[String(entry.name.dropFirst(TextClassifier.headPrefix.count))] = entry.value
            } else if let range = entry.name.range(of: ".lora_"), !LoRAExactAggregation.isResidual(entry.name) {
                adapters["base_model.model.\(entry.name)"] = entry.value
                let module = String(entry.name[..<range.lowerBound])
                if !modules.contains(module) { modules.append(module) }
            }
        }
        let suffixes = Set(
            modules.map {
                $0.replacingOccurrences(of: #"^encoder\.layer\.\d+\."#, with: "", options: .regularExpression)
            }
        )
        let pattern =
            #"encoder\.layer\.\d+\.("#
            + suffixes.sorted().map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|") + ")"
        let lora = fineTuning.lora
        let configuration: [String: Any] = [
            "peft_type": "LORA", "task_type": "FEATURE_EXTRACTION", "r": lora.rank, "lora_alpha": Double(lora.alpha),
            "lora_dropout": Double(lora.dropout), "target_modules": pattern, "bias": "none", "fan_in_fan_out": false,
            "inference_mode": true, "modules_to_save": NSNull(), "init_lora_weights": true, "use_rslora": false,
            "use_dora": false, "base_model_name_or_path": baseName.map { $0 as Any } ?? NSNull(),
        ]
        let staging = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try Safetensors(tensors: adapters, metadata: ["format": "pt"])
                .write(to: staging.appendingPathComponent("adapter_model.safetensors"))
            try Safetensors(tensors: head, metadata: ["format": "pt", "producer": "fedtune"])
                .write(to: staging.appendingPathComponent("classifier.safetensors"))
            try AtomicFile.write(
                try JSONSerialization.data(withJSONObject: configuration, options: [.prettyPrinted, .sortedKeys]),
                to: staging.appendingPathComponent("adapter_config.json")
            )
            try FileManager.default.moveItem(at: staging, to: output)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }
}
