import NIOCore
import NIOHTTP1

/// One connection of the observe listener: reads one request and answers it, then closes
/// its sending side.
/// Only GET on a known path gets its route's body; the request line and headers may weigh
/// at most 8 KiB and a body at most 1 KiB.
final class ObserveHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let maximumHeadBytes = 8 * 1024
    static let maximumBodyBytes = 1024

    private let routes: [String: ObserveRoute]
    private var head: HTTPRequestHead?
    private var bodyBytes = 0
    private var answered = false

    init(routes: [String: ObserveRoute]) {
        self.routes = routes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.answered else { return }
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            let weight = head.uri.utf8.count + head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            guard weight <= Self.maximumHeadBytes else {
                return self.respond(context, .requestHeaderFieldsTooLarge, text: "request headers too large\n")
            }
            self.head = head
        case .body(let buffer):
            self.bodyBytes += buffer.readableBytes
            if self.bodyBytes > Self.maximumBodyBytes {
                self.respond(context, .payloadTooLarge, text: "request body too large\n")
            }
        case .end:
            guard let head = self.head else { return }
            self.answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET else {
            return self.respond(context, .methodNotAllowed, text: "only GET is served here\n", extra: [("Allow", "GET")])
        }
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
        guard let path, let route = self.routes[path] else {
            return self.respond(context, .notFound, text: "not found; try \(self.routes.keys.sorted().joined(separator: ", "))\n")
        }
        self.answered = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask { await route.body() }.whenSuccess { body in
            let (handler, context) = bound.value
            handler.write(context, .ok, contentType: route.contentType, body: body)
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, text: String, extra: [(String, String)] = []
    ) {
        self.answered = true
        self.write(context, status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8), extra: extra)
    }

    private func write(
        _ context: ChannelHandlerContext,
        _ status: HTTPResponseStatus,
        contentType: String,
        body: [UInt8],
        extra: [(String, String)] = []
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", contentType), ("Content-Length", "\(body.count)"), ("Connection", "close"),
            ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
            // The status page is self-contained: no scripts, nothing fetched.
            ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
        ])
        headers.add(contentsOf: extra)
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        // Only the sending side closes: what the client still sends (the rest of an oversized
        // body) is read and dropped until it hangs up or goes quiet, since closing a socket
        // with unread bytes resets the connection before the client reads the answer.
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
        }
    }

    /// A malformed request (answered 400 by `HTTPServerProtocolErrorHandler` before this) or a
    /// broken connection: nothing more can be read, so the connection closes.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
