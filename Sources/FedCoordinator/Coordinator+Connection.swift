import FedLearning
import FedRounds
import FedSupport
import FedTLS
import FedTensor
import FedWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OrderedCollections
import X509

extension Coordinator {
    // MARK: One site's conversation

    func converse(_ connection: NIOAsyncChannel<Frame, Frame>) async {
        let id = ObjectIdentifier(connection.channel)
        guard self.outcome == nil else {
            try? await connection.executeThenClose { _, _ in }
            return
        }
        let limits = self.configuration.connections
        guard self.connections.count < limits.maximum, self.pending < limits.maximumPending else {
            // Over the cap: closed before the handshake costs anything more.
            self.logger.warning(
                "connection refused: too many open",
                metadata: ["connections": "\(self.connections.count)", "pending": "\(self.pending)"]
            )
            try? await connection.executeThenClose { _, _ in }
            return
        }
        self.connections[id] = connection.channel
        self.pending += 1
        defer {
            self.connections[id] = nil
            if self.admittedConnections.remove(id) == nil { self.pending -= 1 }
        }
        // From accept to hello in bounded time: no TLS, a stall after it, or a dripped first
        // frame closes the connection.
        let channel = connection.channel
        let watchdog = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(limits.helloSeconds * 1000))) {
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        let onAdmitted: @Sendable () async -> Void = {
            watchdog.cancel()
            await self.markAdmitted(id)
        }
        if let site = await self.talk(over: connection, onAdmitted: onAdmitted) {
            self.leave(site, channel: connection.channel)
        }
    }

    /// A connection became a site: it no longer counts as pending.
    private func markAdmitted(_ id: ObjectIdentifier) {
        if self.admittedConnections.insert(id).inserted { self.pending -= 1 }
    }

    /// One connection from hello to hang-up, outside the actor (messages are decoded in the
    /// connection's own task); returns the site's name if it joined. Whatever is refused is
    /// answered with a `failure` naming the reason before the connection closes.
    private nonisolated func talk(
        over connection: NIOAsyncChannel<Frame, Frame>,
        onAdmitted: @Sendable () async -> Void
    ) async -> String? {
        var site = "unauthenticated"
        var joined = false
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = MessageReader(inbound)
                let sender = MessageSender(outbound, limits: self.configuration.limits)
                let hello: Message.Hello
                var peer: Certificate?
                do {
                    // Admission comes right after the handshake, before a single frame is read:
                    // the site's name is its verified certificate's, never what it sends.
                    let signal = try await connection.channel.pipeline.handler(type: HandshakeSignal.self).get()
                    try await signal.completed.get()
                    let certificate = try await PeerIdentity.certificate(of: connection.channel)
                    peer = certificate
                    site = try await self.admit(certificate)
                    guard case .hello(let first)? = try await reader.receive() else {
                        throw CoordinatorError.protocolViolation(site: site, detail: "the first message must be hello")
                    }
                    hello = first
                    try Message.checkVersion(hello.protocolVersion)
                } catch {
                    try? await sender.send(.failure(.init(message: UntrustedText.clean("\(error)"))))
                    throw error
                }
                await onAdmitted()
                try await sender.send(.welcome(.init(site: site, completedRounds: await self.completedRounds)))
                let (outbox, continuation) = AsyncStream.makeStream(of: Outgoing.self)
                let name = site
                let logger = self.logger
                let channel = connection.channel
                // This site's sends, in order, in a task of their own; a failed write closes
                // the connection, which ends the reading loop.
                let sending = Task {
                    do {
                        for await item in outbox {
                            if let blob = item.blob {
                                try await sender.send(item.message, blob: blob)
                            } else {
                                try await sender.send(item.message)
                            }
                        }
                    } catch {
                        logger.warning(
                            "could not send to a site",
                            metadata: ["client.id": "\(name)", "error": "\(error)"]
                        )
                    }
                    channel.close(promise: nil)
                }
                defer {
                    continuation.finish()
                    sending.cancel()
                }
                // "Still here" through the same queue, so it never splits a blob being sent.
                let pingSeconds = self.configuration.limits.pingSeconds
                let pinging = Task {
                    while (try? await Task.sleep(for: .milliseconds(Int64(pingSeconds * 1000)))) != nil {
                        continuation.yield(Outgoing(message: .ping))
                    }
                }
                defer { pinging.cancel() }
                joined = true
                await self.join(
                    name,
                    link: SiteLink(outbox: continuation, channel: channel, certificate: peer),
                    holdsBase: hello.modelDigests.contains(self.baseDigest),
                    examples: hello.examples
                )
                do {
                    if let reason = try await self.read(&reader, from: name) {
                        await self.leave(name, channel: channel, reason: reason)
                    }
                } catch {
                    // Through the queue, so the failure never splits a blob being sent.
                    continuation.yield(Outgoing(message: .failure(.init(message: UntrustedText.clean("\(error)")))))
                    continuation.finish()
                    await sending.value
                    throw error
                }
                // Let the queue (a `finished` message, say) go out before the connection closes.
                continuation.finish()
                await sending.value
            }
        } catch {
            if joined {
                self.logger.warning(
                    "site connection ended with an error",
                    metadata: ["client.id": "\(site)", "error": "\(UntrustedText.clean("\(error)"))"]
                )
            } else {
                let peer = connection.channel.remoteAddress.map { "a connection from \($0.ipAddress ?? "?")" }
                self.logger.warning(
                    "connection refused",
                    metadata: [
                        "client.id": "\(site)",
                        "reason":
                            "\(error is NIOSSLError || error is BoringSSLError ? ConnectionFailure.coordinator(error, peer: peer ?? "a connection") : UntrustedText.clean("\(error)"))",
                    ]
                )
            }
        }
        return joined ? site : nil
    }

    private var completedRounds: Int { self.core.completedRounds }

    /// Sites of the open round that have not reported yet.
    package var awaiting: [String] { self.core.awaiting }
    /// Sites asked to score the global model that have not replied yet.
    package var awaitingEvaluation: [String] { self.core.awaitingEvaluation }

    /// Reads a site's messages until it hangs up (nil) or says why it stops (its reason).
    private nonisolated func read(_ reader: inout MessageReader, from site: String) async throws -> String? {
        while let message = try await reader.receive() {
            switch message {
            case .update(let update) where update.blob.content == .masked:
                let blob = try await reader.receiveBlob(update.blob, limit: self.maximumUpdateBytes)
                await self.deliver(Self.maskedUpdate(update, blob: blob, from: site))
            case .secure(let step):
                await self.deliver(Self.secureEvent(step, from: site))
            case .update(let update):
                let blob = try await reader.receiveBlob(update.blob, limit: self.maximumUpdateBytes)
                // Decoded here, in the site's own task, straight from the reassembled buffer;
                // the core validates it once as it folds it.
                let event: FederationCore.Event
                do {
                    guard update.blob.content == .delta else {
                        throw CoordinatorError.protocolViolation(
                            site: site,
                            detail: "an update's blob must hold a delta, not \(update.blob.content.rawValue)"
                        )
                    }
                    // Dense, or compressed as the blob's metadata says (fp16, bf16, int8, top-k).
                    let tensors = try blob.withUnsafeReadableBytes { raw in
                        try UpdateDecoder.decode(
                            Data(
                                bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress!),
                                count: raw.count,
                                deallocator: .none
                            ),
                            spec: self.updateSpec,
                            source: "update from \(site)"
                        )
                    }
                    event = .updateReceived(
                        site: site,
                        round: update.round,
                        .init(
                            examples: update.examples,
                            metrics: update.metrics,
                            tensors: tensors,
                            bytes: blob.readableBytes
                        )
                    )
                } catch {
                    event = .updateUnreadable(site: site, round: update.round, reason: "\(error)")
                }
                await self.deliver(event)
            case .evaluation(let evaluation):
                await self.deliver(
                    .evaluationReceived(
                        site: site,
                        round: evaluation.round,
                        examples: evaluation.examples,
                        metrics: evaluation.metrics
                    )
                )
            case .ping:
                continue  // it only shows the site is alive, which the idle timeout watches
            case .failure(let failure):
                let reason = UntrustedText.clean(failure.message)
                self.logger.warning(
                    "site reported a failure",
                    metadata: ["client.id": "\(site)", "error": "\(reason)"]
                )
                return reason
            default:
                throw CoordinatorError.protocolViolation(site: site, detail: "unexpected '\(message.type)' message")
            }
        }
        return nil
    }

    /// A second connection with the same certificate replaces the first: the newest wins
    /// (the old one is usually a connection whose loss the site noticed first). The old one
    /// is told why and closed; its part in the open round counts as lost.
    private func join(_ site: String, link: SiteLink, holdsBase: Bool, examples: Int?) {
        if let old = self.sites.removeValue(forKey: site) {
            old.outbox.yield(
                Outgoing(
                    message: .failure(
                        .init(message: "another connection with this site's certificate replaced this one")
                    )
                )
            )
            old.outbox.finish()
            let channel = old.channel
            Task {
                try? await Task.sleep(for: .seconds(5))
                channel.close(promise: nil)
            }
            self.logger.warning(
                "site connected again; the older connection is closed",
                metadata: ["client.id": "\(site)"]
            )
            self.deliver(.siteLeft(site))
        }
        self.sites[site] = link
        self.logger.info(
            "site joined",
            metadata: ["client.id": "\(site)", "sites.connected": "\(self.sites.keys.sorted().joined(separator: ","))"]
        )
        self.deliver(.siteJoined(site, holdsBase: holdsBase, examples: examples))
        self.logWaiting()
    }

    /// While no round can start: how many sites the first round needs and which are here.
    func logWaiting() {
        guard case .waitingForSites = self.core.phase else { return }
        let connected = self.sites.keys.sorted()
        let needed = self.configuration.policy.minSites
        guard connected.count < needed else { return }
        self.logger.info(
            "waiting for \(needed - connected.count) more site\(needed - connected.count == 1 ? "" : "s")",
            metadata: [
                "sites.needed": "\(needed)",
                "sites.connected": .string(connected.isEmpty ? "none" : connected.joined(separator: ",")),
            ]
        )
    }

    /// A site's connection ended; `reason` is what it said when it stopped, if anything.
    private func leave(_ site: String, channel: any Channel, reason: String? = nil) {
        guard let link = self.sites[site], link.channel === channel else { return }
        link.outbox.finish()
        self.sites[site] = nil
        self.logger.info(
            "site left",
            metadata: ["client.id": "\(site)", "reason": "\(reason ?? "disconnected")"]
        )
        self.deliver(reason.map { .siteFailed(site, reason: $0) } ?? .siteLeft(site))
        self.logWaiting()
    }
}
