import ArgumentParser
import FedCommands
import FedLearning
import FedSupport
import Foundation

/// `fedtune export`: a fine-tuned text model as a Hugging Face-style folder.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a fine-tuned text classifier as a Hugging Face-style folder (LoRA merged).",
        discussion: """
            The encoder becomes a BertModel folder (config.json, model.safetensors, vocab.txt, \
            tokenizer_config.json) that transformers and safetensors load, with sentence-transformers' \
            mean pooling (modules.json, 1_Pooling/) and the classification head in classifier.safetensors.
            """
    )

    @Option(help: "A text model folder written by fedtune (model.json, model.safetensors).") var model: String
    @Option(help: "Folder to write.") var out: String
    @Flag(help: "Write a PEFT LoRA adapter folder (adapter_config.json, adapter_model.safetensors) for the base model.")
    var peft = false
    @Option(help: "With --peft: the base model's Hugging Face name, recorded as base_model_name_or_path.")
    var baseName: String?
    @OptionGroup var cacheOptions: CacheOptions

    func run() throws {
        try runReportingErrors {
            if self.peft {
                try ModelExport.exportPEFT(
                    folder: URL(fileURLWithPath: self.model),
                    to: URL(fileURLWithPath: self.out),
                    baseName: self.baseName,
                    bases: self.cacheOptions.bases
                )
            } else {
                try ModelExport.export(
                    folder: URL(fileURLWithPath: self.model),
                    to: URL(fileURLWithPath: self.out),
                    bases: self.cacheOptions.bases
                )
            }
        }
        if self.peft {
            print(
                "wrote \(self.out) (PEFT LoRA adapter: adapter_config.json, adapter_model.safetensors; head in classifier.safetensors)"
            )
            return
        }
        print("wrote \(self.out) (BertModel weights with adapters merged, mean pooling, classifier.safetensors)")
    }
}
