import Dispatch

/// How the benchmarks time a piece of work: one warm-up run, then the median of `repeats`
/// runs, in seconds (the median resists a noisy, shared machine better than the mean).
enum MedianTime {
    static func seconds(_ repeats: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<Swift.max(repeats, 1) {
            let started = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }
}
