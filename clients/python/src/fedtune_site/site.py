"""A site process: joins the coordinator over mutual TLS 1.3, receives the model, trains on
private data and returns only the update, until the coordinator says the run is finished
(docs/PROTOCOL.md; the Swift site is Sources/FedClient/Site.swift).

Training runs on a worker thread while the connection's event loop keeps sending ``ping``
every 30 s. Only a lost network is retried, with backoff, within ``retries`` attempts and
``wait`` seconds; a refusal, a protocol violation, data that do not fit the model or a
feature this site does not support stops it with one sentence, told to the coordinator as
a ``failure`` where the connection allows.
"""

import asyncio
import logging
import os
import time

from . import connection
from .cache import ModelCache
from .errors import GaveUp, SiteError, WireError
from .rounds import Conversation
from .trainer import NumpyTrainer
from .wire import Channel, Limits

log = logging.getLogger("fedtune_site")


class Site:
    """One site. ``coordinator`` is ``"HOST:PORT"``; ``identity`` the folder with cert.pem,
    key.pem and ca.pem (``fedtune certs issue SITE``).

    Hooks (each runs on a worker thread):

    - ``on_train(model, settings) -> Update``: train the round; ``model`` has the global
      tensors in place (``model.trainable`` names those that travel), ``settings`` is the
      round's ``TrainSettings``. Return the trained values of the trainable tensors; the site
      sends their difference from the global ones.
    - ``on_evaluate(model) -> Evaluation``: score the round's global model on held-out data.
    - ``check_model(model)``: called once per base model before any round uses it; raise a
      ``SiteError`` (e.g. ``DataMismatch``) to refuse it.

    With ``data`` (a CSV file) and no hooks, the built-in numpy trainer (``NumpyTrainer``)
    trains fedtune's tabular models on it. ``examples`` is announced in ``hello`` (the most
    the site's updates weigh); with ``data`` it defaults to the file's number of rows.
    """

    def __init__(
        self,
        coordinator,
        identity,
        data=None,
        label="label",
        on_train=None,
        on_evaluate=None,
        check_model=None,
        examples=None,
        cache=None,
        evaluation=0.2,
        seed=0,
        retries=120,
        wait=600.0,
        max_model_bytes=1 << 30,
        limits=None,
    ):
        self.host, self.port = parse_coordinator(coordinator)
        self.identity = identity
        self.trainer = NumpyTrainer(data, label, evaluation, seed) if data is not None else None
        if self.trainer is None and (on_train is None or on_evaluate is None):
            raise ValueError("a site needs data (a CSV file for the built-in trainer) or both on_train and on_evaluate")
        self.on_train = on_train or self.trainer.on_train
        self.on_evaluate = on_evaluate or self.trainer.on_evaluate
        self.check_model = check_model or (self.trainer.check if self.trainer else None)
        self.examples = examples
        self.cache = ModelCache(cache or default_cache())
        self.retries = retries
        self.wait = wait
        self.max_model_bytes = max_model_bytes
        self.limits = limits or Limits()
        self.welcome_seconds = 30.0
        self.initial_backoff = 0.1
        self.maximum_backoff = 5.0
        self.name = None
        #: The base model last decoded (one per digest), reused from round to round.
        self._base = None

    def run(self):
        """Takes part in rounds until the run finishes; returns the number of rounds the
        coordinator reported. Raises a ``SiteError`` when the site must stop."""
        return asyncio.run(self.run_async())

    async def run_async(self):
        """``run`` inside an existing event loop."""
        identity = connection.load_identity(self.identity)
        self.name = identity.name
        context = identity.context()
        if self.examples is None and self.trainer is not None:
            self.examples = self.trainer.rows()
        backoff = self.initial_backoff
        attempt = 0
        since = time.monotonic()
        last_error = "none"
        while True:
            conversation = Conversation(self)
            try:
                rounds = await self._session(context, conversation)
                if rounds is not None:
                    return rounds
                last_error = "the coordinator closed the connection"
            except SiteError as error:
                if not error.transient:
                    raise
                last_error = str(error)
                log.warning("connection lost: %s", last_error)
            if conversation.progressed:
                attempt, backoff, since = 0, self.initial_backoff, time.monotonic()
            attempt += 1
            waited = time.monotonic() - since + backoff
            if attempt > self.retries or waited > self.wait:
                raise GaveUp(attempt, int(time.monotonic() - since), last_error)
            log.info("reconnecting (attempt %d, backoff %.1f s)", attempt, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.maximum_backoff)

    async def _session(self, context, conversation):
        """One connection; the round count at ``finished``, None when it ended before."""
        started = time.monotonic()
        try:
            reader, writer = await connection.dial(self.host, self.port, context, self.welcome_seconds)
        except SiteError:
            raise
        except BaseException as error:  # noqa: BLE001 - every network error becomes one sentence
            if isinstance(error, (KeyboardInterrupt, SystemExit, asyncio.CancelledError)):
                raise
            raise connection.failure(error, self.host, self.port) from None
        channel = Channel(reader, writer, self.limits)
        pinging = None
        try:
            hello_error = None
            hello = {"protocolVersion": 1, "modelDigests": self.cache.digests()}
            if self.examples is not None:
                hello["examples"] = int(self.examples)
            try:
                await channel.send("hello", hello)
            except (OSError, ConnectionError) as error:
                # A coordinator that refuses this site says so and closes at once: read that first.
                hello_error = error
            pinging = asyncio.ensure_future(channel.keep_alive())
            deadline = started + self.welcome_seconds
            try:
                rounds = await conversation.converse(channel, deadline)
            except SiteError as error:
                if error.tell_coordinator:
                    log.error("%s", error)
                    try:
                        await asyncio.wait_for(channel.send("failure", {"message": _cut(str(error))}), 5)
                    except (OSError, ConnectionError, asyncio.TimeoutError):
                        pass
                raise
            if rounds is None and hello_error is not None:
                raise connection.failure(hello_error, self.host, self.port)
            return rounds
        except SiteError:
            raise
        except (OSError, EOFError, WireError, asyncio.TimeoutError) as error:
            # A lost network, a silent peer or a garbled message: retried, as the Swift site does.
            raise connection.failure(error, self.host, self.port) from None
        except Exception as error:
            # A bug here, not the coordinator's or the network's: say so to both, with the traceback.
            log.exception("internal error")
            try:
                sentence = _cut(f"the site stopped on an internal error: {type(error).__name__}: {error}")
                await asyncio.wait_for(channel.send("failure", {"message": sentence}), 5)
            except (OSError, ConnectionError, asyncio.TimeoutError):
                pass
            raise
        finally:
            if pinging is not None:
                pinging.cancel()
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 2)
            except Exception:  # noqa: BLE001 - closing a broken connection may fail; it is closed either way
                pass


def parse_coordinator(text):
    """(host, port) of ``HOST:PORT`` (``[v6]:PORT`` for IPv6 literals)."""
    if isinstance(text, tuple):
        return text[0], int(text[1])
    host, _, port = str(text).rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--coordinator must be HOST:PORT, not '{text}'")
    return host, int(port)


def default_cache():
    """Where received base models are kept: ``$FEDTUNE_CACHE/received-models``, else
    ``~/.cache/fedtune/received-models`` (the Swift site's folder; files are named by digest)."""
    root = os.environ.get("FEDTUNE_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "fedtune")
    return os.path.join(root, "received-models")


def _cut(text, limit=4096):
    return text if len(text) <= limit else text[:limit] + " …"


def connect(coordinator, identity, data=None, **options):
    """Runs a site until the federation finishes; returns the number of rounds. The keyword
    arguments are ``Site``'s (``label``, ``on_train``, ``on_evaluate``, ``cache``, …)."""
    return Site(coordinator, identity, data=data, **options).run()

