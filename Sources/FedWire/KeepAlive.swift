import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// TCP keepalive on every fedtune connection, so either end learns of a peer whose host
/// died or whose network vanished (no FIN ever comes) within about two minutes, even while
/// it is busy training: the kernel probes after 60 idle seconds, every 10 s, 6 times.
package enum KeepAlive {
    package static let idleSeconds = 60
    package static let intervalSeconds = 10
    package static let probes = 6

    /// Sets the options on a channel, in its initializer (on its event loop).
    package static func apply(to channel: any Channel) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(.socketOption(.so_keepalive), value: 1)
        for (name, value) in [
            (TCP_KEEPIDLE, self.idleSeconds), (TCP_KEEPINTVL, self.intervalSeconds), (TCP_KEEPCNT, self.probes),
        ] {
            try options.setOption(
                ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: name)),
                value: value
            )
        }
    }
}
