import Foundation
import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 client for the observe listener: `fedtune status http://…` and the
/// tests. It writes raw bytes and reads until the server closes (the listener closes after
/// each response), so tests can send malformed requests the same way.
package enum HTTPFetch {
    /// A parsed response.
    package struct Response: Sendable {
        package var status: Int
        package var headers: [(name: String, value: String)]
        package var body: [UInt8]

        package func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        package var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    /// GET `path` from `host:port`.
    package static func get(host: String, port: Int, path: String) async throws(ObserveError) -> Response {
        let url = "http://\(host):\(port)\(path)"
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n"
        let raw: [UInt8]
        do {
            raw = try await self.exchange(host: host, port: port, request: Array(request.utf8))
        } catch {
            throw .unreachable(url: url, reason: ObserveError.reason(error))
        }
        guard let response = self.parse(raw) else {
            throw .badResponse(url: url, detail: "the answer is not an HTTP response (\(raw.count) bytes)")
        }
        return response
    }

    /// Sends `request` as it is and returns every byte until the connection closes (at
    /// most `limit`; more is an error).
    package static func exchange(host: String, port: Int, request: [UInt8], limit: Int = 64 << 20) async throws
        -> [UInt8]
    {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(bytes: request))
            var received: [UInt8] = []
            for try await chunk in inbound {
                received += chunk.readableBytesView
                if received.count > limit { throw ChannelError.inputClosed }
            }
            return received
        }
    }

    /// Splits a response into status, headers and body; nil if it is not HTTP.
    package static func parse(_ raw: [UInt8]) -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = raw.indices.dropLast(3).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }) else {
            return nil
        }
        let lines = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            return nil
        }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Response(status: status, headers: headers, body: Array(raw[(end + 4)...]))
    }
}
