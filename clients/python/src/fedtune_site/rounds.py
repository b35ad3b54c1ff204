"""One connection's conversation: the coordinator's messages handled one at a time, in order
(docs/PROTOCOL.md, "Control messages"; the Swift site is Sources/FedClient/Site.swift and
Site+Rounds.swift)."""

import asyncio
import hashlib
import logging
import math
import re
import time

import numpy as np

from . import safetensors
from .cache import check_digest
from .errors import (
    CannotTrain,
    CoordinatorStopped,
    ProtocolViolation,
    Refused,
    SiteError,
    Unsupported,
    WireError,
)
from .model import Model
from .settings import TrainSettings
from .trainer import Evaluation, Update
from .wire import BlobTooLarge

log = logging.getLogger("fedtune_site")

_METRIC_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class Conversation:
    """Answers the coordinator until ``finished``; ``progressed`` turns true once the site sent
    an update or an evaluation (which resets the reconnection count)."""

    def __init__(self, site):
        self.site = site
        self.progressed = False
        self.model_received = False

    async def converse(self, channel, welcome_deadline):
        """The round count at ``finished``; None when the coordinator hung up."""
        welcomed = False
        while True:
            if welcomed:
                message = await channel.receive()
            else:
                remaining = welcome_deadline - time.monotonic()
                try:
                    message = await asyncio.wait_for(channel.receive(), max(remaining, 0.001))
                except asyncio.TimeoutError:
                    raise WireError("no welcome arrived within 30 s of connecting") from None
            if message is None:
                return None
            kind, body = message
            if kind == "welcome":
                welcomed = True
                self._welcome(body)
            elif kind == "model":
                await self._model(channel, body)
            elif kind == "train":
                await self._train(channel, body)
            elif kind == "evaluate":
                await self._evaluate(channel, body)
            elif kind == "finished":
                rounds = _field(body, "rounds", int)
                log.info("federation finished after %d rounds", rounds)
                return rounds
            elif kind == "failure":
                self._failure(body)
            elif kind in ("ping", "secure"):
                # A secure step can only be old news here: this site never joins such a round.
                continue
            elif kind in ("hello", "update", "evaluation"):
                raise ProtocolViolation(f"unexpected '{kind}' message")
            else:
                raise WireError(f"malformed control message: unknown message type '{kind}'")

    def _welcome(self, body):
        version = _field(body, "protocolVersion", int)
        if version != 1:
            raise SiteError(
                f"protocol version mismatch: this side speaks 1, the peer speaks {version} "
                "---> HINT: run the same fedtune version on the coordinator and the sites"
            )
        log.info(
            "joined the federation as %s (%d rounds completed)",
            _field(body, "site", str),
            _field(body, "completedRounds", int),
        )

    def _failure(self, body):
        message = _field(body, "message", str)
        if body.get("round") is None:
            if message.startswith("the coordinator stopped"):
                raise CoordinatorStopped(message)
            raise Refused(message)
        log.warning("the coordinator refused this site's update for round %s: %s", body["round"], message)

    async def _model(self, channel, body):
        if self.model_received:
            raise ProtocolViolation("a second base model was sent on one connection")
        self.model_received = True
        digest = check_digest(_field(body, "digest", str))
        blob = await self._blob(channel, body, self.site.max_model_bytes, "the base model")
        found = hashlib.sha256(blob).hexdigest()
        if found != digest:
            raise ProtocolViolation(f"base model digest is {found}, announced {digest}")
        model = Model.decode(blob, digest)
        # Kept only once it is known to be a model.
        self.site.cache.store(digest, blob)
        self._checked(digest, model)
        log.info("base model %s received; the data fits it", digest)

    async def _train(self, channel, body):
        round_number = _field(body, "round", int)
        digest = check_digest(_field(body, "baseDigest", str))
        configuration = _field(body, "configuration", dict)
        blob = await self._blob(channel, body, self.site.cache.size(digest), f"round {round_number}'s tensors")
        if body.get("secureAggregation") is not None:
            raise Unsupported(
                "secure aggregation", "remove secure_aggregation from coordinator.yaml, or run `fedtune client` here"
            )
        if body.get("compression") is not None:
            raise Unsupported(
                "compressed updates (strategy.compression)",
                "remove compression from coordinator.yaml's strategy, or run `fedtune client` here",
            )
        model = self._round_model(digest, blob, round_number)
        settings = TrainSettings(configuration, round_number)
        update = await self._off_loop(round_number, self.site.on_train, model, settings)
        if not isinstance(update, Update):
            raise CannotTrain(round_number, f"on_train returned {type(update).__name__}, not an Update")
        delta = _delta(update, model, round_number)
        examples = update.examples
        if isinstance(examples, bool) or not isinstance(examples, int) or not 1 <= examples <= 2**31:
            raise CannotTrain(round_number, f"on_train gave {examples!r} examples; an update weighs 1 … 2^31")
        metrics = _metrics(update.metrics)
        data = safetensors.save(delta)
        await channel.send(
            "update", {"round": round_number, "examples": examples, "metrics": metrics}, blob=data, content="delta"
        )
        self.progressed = True
        log.info(
            "update sent: round %d, %d examples, loss %s, accuracy %s",
            round_number,
            examples,
            _short(metrics.get("loss")),
            _short(metrics.get("accuracy")),
        )

    async def _evaluate(self, channel, body):
        round_number = _field(body, "round", int)
        digest = check_digest(_field(body, "baseDigest", str))
        blob = await self._blob(channel, body, self.site.cache.size(digest), f"round {round_number}'s tensors to evaluate")
        model = self._round_model(digest, blob, round_number)
        try:
            result = await asyncio.get_running_loop().run_in_executor(None, self.site.on_evaluate, model)
            if not isinstance(result, Evaluation):
                raise TypeError(f"on_evaluate returned {type(result).__name__}, not an Evaluation")
        except Exception as error:  # noqa: BLE001 - a failed evaluation is one without examples, never the end
            log.warning("round %d could not be evaluated here: %s", round_number, error)
            result = Evaluation(0, {})
        examples = result.examples if isinstance(result.examples, int) and result.examples >= 0 else 0
        metrics = _metrics(result.metrics) if examples else {}
        await channel.send("evaluation", {"round": round_number, "examples": examples, "metrics": metrics})
        self.progressed = True
        log.info("evaluation sent: round %d, %d examples, accuracy %s", round_number, examples, _short(metrics.get("accuracy")))

    async def _blob(self, channel, body, limit, what):
        header = _field(body, "blob", dict)
        try:
            return await channel.receive_blob(header, limit)
        except BlobTooLarge as error:
            hint = " ---> HINT: --max-model-bytes raises the limit" if what == "the base model" else ""
            raise ProtocolViolation(f"{what} {error}{hint}") from None
        except WireError as error:
            raise ProtocolViolation(f"{what}: {error}") from None

    def _base(self, digest):
        """The base model held under ``digest``, decoded and checked once per digest."""
        held = getattr(self.site, "_base", None)
        if held is not None and held.digest == digest:
            return held
        model = Model.decode(self.site.cache.read(digest), digest)
        return self._checked(digest, model)

    def _checked(self, digest, model):
        if self.site.check_model is not None:
            self.site.check_model(model)
        self.site._base = model
        return model

    def _round_model(self, digest, blob, round_number):
        """The base model with a round's tensors in place of its trainable ones."""
        base = self._base(digest)
        try:
            tensors, _ = safetensors.load(blob, name=f"round {round_number} tensors")
        except ValueError as error:
            raise ProtocolViolation(str(error)) from None
        return base.with_trainable(tensors)

    async def _off_loop(self, round_number, hook, *arguments):
        """Runs a hook on a worker thread, so pings keep going out while it trains."""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, hook, *arguments)
        except SiteError:
            raise
        except Exception as error:  # noqa: BLE001 - any error of the hook ends the site with its sentence
            raise CannotTrain(round_number, f"{type(error).__name__}: {error}") from None


def _field(body, name, kind):
    value = body.get(name)
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if not ok:
        raise WireError(f"malformed control message: field 'body.{name}' is missing or not a {kind.__name__}")
    return value


def _delta(update, model, round_number):
    """``weights − global`` (float32) for exactly the round's trainable tensors, every value finite."""
    delta = {}
    for name in model.trainable:
        if name not in update.weights:
            raise CannotTrain(round_number, f"on_train returned no tensor '{name}'")
        local = np.asarray(update.weights[name], dtype=np.float32)
        if local.shape != model.tensors[name].shape:
            raise CannotTrain(
                round_number,
                f"on_train returned '{name}' with shape {list(local.shape)}, the model's is {list(model.tensors[name].shape)}",
            )
        difference = (local - model.tensors[name]).astype(np.float32)
        if not np.isfinite(difference).all():
            raise CannotTrain(round_number, f"the update of tensor '{name}' holds NaN or infinite values")
        delta[name] = difference
    return delta


def _metrics(metrics):
    """The metrics that may travel: finite numbers under names of 1–64 letters, digits, ``_ . -``; at most 32."""
    kept = {}
    for name in sorted(metrics or {}):
        value = metrics[name]
        if not isinstance(name, str) or not _METRIC_NAME.fullmatch(name):
            log.warning("metric %r dropped: names are 1-64 letters, digits, '_', '.' or '-'", name)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            continue
        if math.isfinite(float(value)) and len(kept) < 32:
            kept[name] = float(value)
    return kept


def _short(value):
    return "-" if value is None else f"{value:.4g}"
