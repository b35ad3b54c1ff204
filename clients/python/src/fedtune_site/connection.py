"""Opening the TLS connection to the coordinator, and turning what can go wrong into one
sentence with whether retrying can help (as Sources/FedTLS/ConnectionFailure.swift does)."""

import asyncio
import os
import socket
import ssl

from .errors import ConnectionFailed, ConnectionLost, IdentityError, WireError
from .identity import Identity
from .wire import PeerSilent


def load_identity(folder):
    """The site's checked identity: the site folder itself, or a PKI root holding one site
    under ``sites/`` (``fedtune certs init`` and ``issue`` write that layout)."""
    if not os.path.isfile(os.path.join(folder, "cert.pem")):
        sites = os.path.join(folder, "sites")
        names = sorted(os.listdir(sites)) if os.path.isdir(sites) else []
        if len(names) == 1:
            folder = os.path.join(sites, names[0])
        elif names:
            raise IdentityError(
                f"{folder} is a PKI folder with {len(names)} sites ({', '.join(names[:5])}): "
                f"give --identity one of them, e.g. {os.path.join(sites, names[0])}"
            )
    identity = Identity(folder)
    identity.check()
    return identity


async def dial(host, port, context, handshake_seconds):
    """A TLS 1.3 connection: TCP within 5 s, TCP_NODELAY and keepalive (probes after 60 idle
    seconds, every 10 s, 6 of them), then the handshake, verifying the coordinator's certificate
    names ``host`` (an IP literal is matched against its IP entries and not sent as SNI)."""
    loop = asyncio.get_running_loop()
    sock = await loop.run_in_executor(None, lambda: socket.create_connection((host, port), timeout=5))
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for option, value in (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 6)):
            if hasattr(socket, option):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
        sock.settimeout(None)
        sock.setblocking(False)
        return await asyncio.open_connection(
            sock=sock,
            ssl=context,
            server_hostname=host,
            ssl_handshake_timeout=handshake_seconds,
            limit=1 << 20,
        )
    except BaseException:
        sock.close()
        raise


#: TLS alerts a coordinator sends when it refuses a site's certificate, and what they mean.
_REFUSALS = (
    ("CERTIFICATE_REVOKED", "this site's certificate has been revoked (ask the federation for a new one)"),
    ("CERTIFICATE_EXPIRED", "this site's certificate has expired (ask the federation to reissue it)"),
    ("UNKNOWN_CA", "it was not issued by the coordinator's CA (is --identity from this federation?)"),
    ("UNSUPPORTED_CERTIFICATE", "it is not a site certificate (use the folder from `fedtune certs issue SITE`)"),
    ("BAD_CERTIFICATE", "the coordinator could not verify it (was it issued by this federation's CA?)"),
    ("CERTIFICATE_REQUIRED", "the coordinator wants a site certificate and did not get one"),
    ("HANDSHAKE_FAILURE", "the TLS handshake failed (are both sides on the same fedtune version?)"),
)


def failure(error, host, port):
    """A connection error as ``ConnectionFailed`` (stop) or ``ConnectionLost`` (retry)."""
    coordinator = f"the coordinator at {host}:{port}"
    if isinstance(error, ssl.SSLCertVerificationError):
        message = error.verify_message or str(error)
        if "mismatch" in message.lower():
            return ConnectionFailed(
                f"{coordinator} presented a certificate that does not name '{host}': connect by a name it holds, "
                f"or reissue it with `fedtune certs init --host {host}`"
            )
        return ConnectionFailed(
            f"{coordinator} presented a certificate this site's CA (ca.pem in --identity) did not issue, or one "
            "that has expired: is this the right coordinator, and do both come from the same `fedtune certs init`?"
        )
    text = str(error).upper()
    if isinstance(error, ssl.SSLError) and not isinstance(error, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        for code, meaning in _REFUSALS:
            if code in text:
                return ConnectionFailed(f"{coordinator} refused this site's certificate: {meaning}")
        if "WRONG_VERSION_NUMBER" in text or "UNSUPPORTED_PROTOCOL" in text or "PROTOCOL_VERSION" in text:
            return ConnectionFailed(f"{coordinator} does not speak TLS 1.3 (is it a fedtune coordinator?)")
        return ConnectionFailed(f"the TLS connection to {coordinator} failed: {error.reason or error}")
    if isinstance(error, ConnectionRefusedError):
        return ConnectionLost(f"nothing is listening at {host}:{port} (connection refused)")
    if isinstance(error, (socket.timeout, asyncio.TimeoutError, TimeoutError)):
        return ConnectionLost(f"{coordinator} did not answer in time")
    if isinstance(error, socket.gaierror):
        return ConnectionLost(f"the host name '{host}' could not be resolved")
    if isinstance(error, (WireError, PeerSilent)):
        return ConnectionLost(f"the connection to {coordinator} was lost: {error}")
    return ConnectionLost(f"the connection to {coordinator} was lost")
