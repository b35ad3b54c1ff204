import Foundation
import Testing

@testable import FedTorch

/// The unpickler's opcodes and bounds on hand-written pickles.
struct UnpicklerTests {
    func load(_ bytes: [UInt8], limits: PickleLimits = PickleLimits()) throws -> PickleResult {
        try bytes.withUnsafeBytes { raw in
            try Unpickler.load(raw, path: "test.pkl", context: "the test pickle", limits: limits)
        }
    }

    @Test func decodesScalarsOfProtocolsTwoToFive() throws {
        // PROTO 4, FRAME, (SHORT_BINUNICODE 'a', BININT -2, LONG1 2^40, BINFLOAT 1.5, NEWTRUE, NONE) TUPLE, STOP.
        var bytes: [UInt8] = [0x80, 0x04, 0x95] + [UInt8](repeating: 0, count: 8) + [0x28, 0x8C, 0x01, 0x61]
        bytes += [0x4A, 0xFE, 0xFF, 0xFF, 0xFF, 0x8A, 0x06, 0, 0, 0, 0, 0, 0x01]
        bytes += [0x47, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0, 0x88, 0x4E, 0x74, 0x2E]

        let result = try self.load(bytes)

        guard case .tuple(let items)? = result.object(result.root) else {
            Issue.record("not a tuple")
            return
        }
        #expect(items == [.string("a"), .int(-2), .int(1 << 40), .float(1.5), .bool(true), .none])
        #expect(result.end == bytes.count)
    }

    @Test func memoisedListsAreSharedAndGrowInPlace() throws {
        // EMPTY_LIST MEMOIZE, BININT1 1 APPEND, BINGET 0, TUPLE2, STOP: both elements are the one list.
        let result = try self.load([0x80, 0x05, 0x5D, 0x94, 0x4B, 0x01, 0x61, 0x68, 0x00, 0x86, 0x2E])

        guard case .tuple(let items)? = result.object(result.root), case .list(let list)? = result.object(items[0])
        else {
            Issue.record("not a tuple of lists")
            return
        }
        #expect(items[0] == items[1])
        #expect(list == [.int(1)])
    }

    @Test func stackAndMemoLimitsAreEnforced() throws {
        let marks = [UInt8](repeating: 0x28, count: 20) + [0x2E]
        let puts: [UInt8] = [0x80, 0x02, 0x4E] + (0..<10).flatMap { [UInt8(0x71), UInt8($0)] } + [0x2E]
        var limits = PickleLimits()
        limits.marks = 10
        limits.memo = 5

        #expect(
            throws: TorchCheckpointError.limitExceeded(path: "test.pkl", offset: 10, what: "nested marks", limit: 10)
        ) {
            try self.load(marks, limits: limits)
        }
        #expect(
            throws: TorchCheckpointError.limitExceeded(path: "test.pkl", offset: 13, what: "memo entries", limit: 5)
        ) {
            try self.load(puts, limits: limits)
        }
    }

    @Test func unsupportedOpcodesAreNamed() throws {
        // INST (protocol 0's class instantiation) is never in a torch.save pickle.
        #expect(throws: TorchCheckpointError.unsupportedOpcode(path: "test.pkl", offset: 2, opcode: 0x69, name: "INST"))
        {
            try self.load([0x80, 0x02, 0x69, 0x2E])
        }
    }

    @Test func malformedStreamsAreRefused() throws {
        #expect(throws: TorchCheckpointError.self) { try self.load([0x80, 0x02, 0x2E]) }  // STOP on an empty stack
        #expect(throws: TorchCheckpointError.self) { try self.load([0x80, 0x02, 0x68, 0x03, 0x2E]) }  // unset memo
        #expect(throws: TorchCheckpointError.self) { try self.load([0x80, 0x02, 0x4E, 0x61, 0x2E]) }  // APPEND to None
        #expect(throws: TorchCheckpointError.self) { try self.load([0x80, 0x06, 0x4E, 0x2E]) }  // protocol 6
    }
}
