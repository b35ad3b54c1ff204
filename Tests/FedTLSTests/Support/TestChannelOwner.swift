import NIOCore

/// A test harness around one channel, closed when the test is done with it.
protocol TestChannelOwner {
    var channel: any Channel { get }
}

extension TestChannelOwner {
    /// Runs `body`, then closes the channel whether `body` threw or not.
    func closing<T>(after body: (Self) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await self.close()
            return result
        } catch {
            await self.close()
            throw error
        }
    }

    func close() async {
        try? await self.channel.close()
    }
}
