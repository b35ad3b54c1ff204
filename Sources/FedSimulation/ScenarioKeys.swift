import FedImage
import FedLearning
import FedRounds
import FedSupport

/// Every key a scenario file may hold, nested as in the file, so a misspelt key is an
/// error naming its line instead of a run with a default.
enum ScenarioKeys {
    static let root: YAMLShape = {
        let value = YAMLShape.value
        let lora: YAMLShape = .values(["rank", "alpha", "dropout", "targets", "exact"])
        return .mapping([
            "name": value, "description": value, "seed": value, "model": value, "freeze": value, "dataset": value,
            "text_column": value, "dropout": value, "max_length": value, "test_fraction": value,
            "test_examples": value, "site_test_fraction": value, "max_examples_per_site": value, "sites": value,
            "partition": value, "alpha": value, "column": value, "rounds": value, "sample": value,
            "positive_class": value, "mix": .values(["column", "share"]),
            "pretrain": YAMLShape.values(["features", "classes", "noise", "world_seed", "examples", "arch"])
                .adding(["training": TrainingConfiguration.shape]),
            "data": .values(["shift", "examples", "csv", "label", "npz", "images"]),
            "fine_tuning": YAMLShape.values(["mode", "layers", "batch_norm"]).adding(["lora": lora]),
            "prevalence": .values(["class", "shares"]),
            "image": YAMLShape.values(["size", "class_names", "positive_class", "scanners"])
                .adding(["augmentation": AugmentationSettings.shape]),
            "strategy": StrategySettings.shape,
            "privacy": PrivacySettings.shape,
            "secure_aggregation": SecureAggregationSettings.shape,
            "early_stopping": .values(EarlyStopping.Settings.keys),
            "attack": Attack.Settings.shape,
            "local": TrainingConfiguration.shape,
            "expect": .values([
                "min_accuracy", "min_macro_f1", "beat_pretrained", "beat_local", "max_gap_to_centralised",
                "min_worst_site_accuracy", "min_new_class_recall", "min_pr_auc", "beat_local_pr_auc",
            ]),
        ])
    }()
}
