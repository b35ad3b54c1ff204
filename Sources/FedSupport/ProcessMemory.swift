import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// This process's resident memory as Linux reports it in /proc/self/status, for
/// benchmarks that show how much memory a piece of work really touched.
package struct ProcessMemory: Sendable, Equatable, Codable {
    /// Bytes resident now (VmRSS).
    package var resident: Int
    /// Largest resident size since the process started or the peak was last reset (VmHWM).
    package var peakResident: Int

    package init(resident: Int, peakResident: Int) {
        self.resident = resident
        self.peakResident = peakResident
    }

    /// The figures now, or nil where /proc/self/status is missing or unreadable (not Linux).
    package static func current() -> ProcessMemory? {
        // Foundation's file readers trust st_size, which is 0 for /proc files, so read to EOF here.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return self.parse(status: String(decoding: data, as: UTF8.self))
    }

    /// Reads VmRSS and VmHWM (in kB) out of the text of /proc/<pid>/status.
    package static func parse(status: String) -> ProcessMemory? {
        var fields: [Substring: Int] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            guard parts.count == 3, parts[2] == "kB", let kilobytes = Int(parts[1]) else { continue }
            fields[parts[0]] = kilobytes * 1024
        }
        guard let resident = fields["VmRSS"], let peak = fields["VmHWM"] else { return nil }
        return ProcessMemory(resident: resident, peakResident: peak)
    }

    /// Lowers the peak (VmHWM) to the current resident size, so one process can measure
    /// several pieces of work in turn; false where the kernel refuses (before Linux 4.0).
    @discardableResult
    package static func resetPeak() -> Bool {
        // "5" is the clear_refs code that resets the high-water mark (proc(5)).
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// Hands memory the allocator has freed but kept back to the kernel, so a resident
    /// baseline taken next does not include pages left over from earlier work.
    package static func releaseFreedMemory() {
        #if canImport(Glibc)
        // malloc.h is not part of the Glibc module, so glibc's malloc_trim is looked up by name.
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        let mallocTrim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        _ = mallocTrim(0)
        #endif
    }
}
