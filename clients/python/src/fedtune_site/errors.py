"""Why a site stops: each error is one plain sentence for the person running the site.

The kinds mirror the Swift site's `SiteError` (Sources/FedClient/SiteError.swift), so a
Python site and a Swift site tell an operator the same thing in the same words.
"""


class SiteError(Exception):
    """A reason to stop the site; ``str(error)`` is the sentence shown and sent.

    ``tell_coordinator`` says whether the sentence goes to the coordinator as a
    ``failure`` message before the connection closes (it does not when the coordinator
    itself refused the site, or when there is no connection to tell).
    """

    tell_coordinator = True
    #: Whether reconnecting could help (only a lost network can).
    transient = False


class Refused(SiteError):
    """The coordinator turned this site away (a ``failure`` without ``round``)."""

    tell_coordinator = False

    def __init__(self, message):
        super().__init__(f"the coordinator refused this site: {message}")


class CoordinatorStopped(SiteError):
    """The coordinator ended the run for every site ("the coordinator stopped: …")."""

    tell_coordinator = False


class ProtocolViolation(SiteError):
    """The coordinator sent something docs/PROTOCOL.md does not allow."""

    def __init__(self, detail):
        super().__init__(f"the coordinator broke the protocol: {detail}")


class DataMismatch(SiteError):
    """The site's data cannot be used with the model (a missing column, an unknown label)."""

    def __init__(self, detail):
        super().__init__(
            f"this site's data does not fit the model: {detail} ---> HINT: check --data and --label"
        )


class Unsupported(SiteError):
    """The coordinator asked for something this Python site does not do."""

    def __init__(self, feature, hint):
        super().__init__(f"this Python site does not support {feature} ---> HINT: {hint}")


class CannotTrain(SiteError):
    """Training a round failed for a reason retrying would not change."""

    def __init__(self, round_number, reason):
        super().__init__(f"round {round_number} could not be trained here: {reason}")


class UnknownBaseModel(SiteError):
    """The coordinator named a base model this site does not hold."""

    def __init__(self, digest):
        super().__init__(f"asked to train on base model {digest}, which this site does not hold")


class IdentityError(SiteError):
    """The site's certificate, key or CA cannot be used; found before any connection."""

    tell_coordinator = False


class ConnectionFailed(SiteError):
    """A TLS refusal or another connection problem that retrying cannot fix."""

    tell_coordinator = False


class ConnectionLost(SiteError):
    """The network failed (nothing listening, a timeout, a dropped connection): retried."""

    tell_coordinator = False
    transient = True


class GaveUp(SiteError):
    """Reconnection attempts ran out."""

    tell_coordinator = False

    def __init__(self, attempts, seconds, last_error):
        super().__init__(
            f"gave up after {attempts} connection attempts in {seconds} s: {last_error} "
            "---> HINT: check --coordinator host:port and that the coordinator is running "
            "(--retries and --wait set how long to keep trying)"
        )


class WireError(Exception):
    """A frame, message or blob that breaks docs/PROTOCOL.md, as one sentence."""


class SafetensorsError(ValueError):
    """A safetensors blob that cannot be read, naming the blob and the tensor."""
