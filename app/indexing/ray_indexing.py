"""Indexing's expensive work on a Ray cluster, for archives too big for one machine.

The driver (this process) keeps everything it does locally: the scan, change detection,
moves, removals, failures and every commit. Ray Data does the rest as one streaming
pipeline: reading and decoding in CPU tasks, then a pool of embedding actors (one per GPU, or
one per machine without GPUs), each loading the model once; the region pass runs as a further
pool of actors (`ray_stages.RegionFinding`). Outcomes stream back in whatever order they finish
and are committed in batches exactly as the local pipeline commits them, so a kill of any
worker or of the driver costs only the work in flight. Ray is imported only here, and only when
a run asks for it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import app
from app.catalog.regions import RegionWork
from app.core.errors import UserError
from app.core.settings import Settings
from app.indexing import ray_stages
from app.indexing.lookahead import wait_while_paused
from app.indexing.region_finder import region_batch_size
from app.indexing.run_setup import embedding_batch_size
from app.indexing.scanner import ScannedFile
from app.ml.preprocess import InputSpec
from app.ml.spec import ModelSpec

log = logging.getLogger(__name__)

LOCAL = ""  # the address that means: start Ray on this machine for this run
CONNECT_TIMEOUT = 5.0
PROBE_TIMEOUT = 60.0
PROBED_PATHS = 16
DECODE_BATCH = 8
# Decoding shares each machine with the model actors (as local decoding threads share the cores
# with the model), so two decode tasks fit beside an actor on a 2-core machine.
DECODE_CPUS = 0.5
DECODE_MEMORY = 256 << 20
ACTOR_CPUS = 0.5

StopCheck = Callable[[], bool]


def ray_module() -> Any:
    """Ray itself, or a UserError saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        if getattr(sys, "frozen", False):
            raise UserError(
                "this build of Photo Organizer does not include Ray: index on a cluster with the Python "
                "package (pip install 'photo-organizer[ray]'), the same version on every machine"
            ) from None
        raise UserError(
            "indexing on Ray needs Ray installed: pip install 'photo-organizer[ray]' "
            "(the same version on every machine of the cluster)"
        ) from None
    return ray


@dataclass(frozen=True)
class Plan:
    """Where the models run: one actor per GPU, or one per machine on CPUs."""

    device: str
    actors: int

    @property
    def batch_size(self) -> int:
        return embedding_batch_size(self.device)

    @property
    def region_batch(self) -> int:
        return region_batch_size(self.device)

    @property
    def actor_resources(self) -> dict[str, float]:
        # Half a CPU each (the model's threads use what the machine has, as they do locally):
        # a one-CPU machine still fits an actor beside a decode task.
        return {"num_gpus": 1.0, "num_cpus": ACTOR_CPUS} if self.device == "cuda" else {"num_cpus": ACTOR_CPUS}


def plan_for(nodes: Sequence[Mapping[str, Any]], requested_device: str) -> Plan:
    """Plan the model actors for the alive `nodes` (as `ray.nodes()` describes them)."""
    alive = [n for n in nodes if n.get("Alive")]
    gpus = int(sum(n.get("Resources", {}).get("GPU", 0) for n in alive))
    cpu_nodes = sum(1 for n in alive if n.get("Resources", {}).get("CPU", 0) >= 1)
    forced = os.environ.get("PHOTO_ORGANIZER_RAY_ACTORS", "").strip()
    if requested_device.startswith("cuda") and not gpus:
        raise UserError("the Ray cluster has no GPU, and --device cuda asks for one")
    if gpus and requested_device != "cpu":
        return Plan("cuda", int(forced) if forced.isdigit() else gpus)
    if not cpu_nodes:
        raise UserError("the Ray cluster has no machine with a CPU free for work")
    return Plan("cpu", int(forced) if forced.isdigit() else cpu_nodes)


class RaySession:
    """The connection of one indexing run to Ray, made on first need (an unchanged folder never
    starts Ray) and closed with the run: `address` LOCAL starts a Ray here for the run, "auto"
    or HOST:PORT joins a running cluster. A connection made before the run is left open. Connect
    on the thread that runs the whole run: a Ray started here ends with the thread that started it."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._ray: Any = None
        self._owned = False
        if address not in (LOCAL, "auto"):
            _check_reachable(address)  # at once: a typo is told even when nothing needs the cluster

    @property
    def where(self) -> str:
        return "a Ray instance on this machine" if self.address == LOCAL else f"the Ray cluster at {self.address}"

    def ray(self) -> Any:
        if self._ray is not None:
            return self._ray
        ray = ray_module()
        _quiet_ray()
        if not ray.is_initialized():
            try:
                with _backend_logs_only_fatal(), _workers_at_normal_priority(self.address):
                    ray.init(
                        address=self.address or None,
                        include_dashboard=False if self.address == LOCAL else None,
                        log_to_driver=False,
                        configure_logging=False,
                        namespace="photo-organizer",
                    )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise UserError(f"cannot connect to {self.where}: {_first_line(exc)}") from None
            self._owned = True
        _cluster_news_to_stderr()
        self._ray = ray
        return ray

    def close(self) -> None:
        if self._owned and self._ray is not None:
            self._ray.shutdown()
        self._ray, self._owned = None, False

    def __enter__(self) -> RaySession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _check_reachable(address: str) -> None:
    """A cluster out of reach is told in seconds (Ray itself retries for a minute)."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        raise UserError(f"{address!r} is not a Ray address: give HOST:PORT (from `ray start --head`), or auto")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        raise UserError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from None


def _quiet_ray() -> None:
    """The app shows its own progress and errors: Ray's own lines (its progress bars, each
    dataset's plan, notes on its settings) would bury them. Ray's log files keep everything."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def _backend_logs_only_fatal() -> Iterator[None]:
    """Ray's core logs to this process's stderr at the level it reads while connecting. Its only
    error line in a run is a note on its own actors' arguments (harmless: the dataset holds them
    for the run), and setting the level prints a line of its own, so that line is dropped."""
    with _env_unless_set("RAY_BACKEND_LOG_LEVEL", "fatal") as chosen_here:
        if not chosen_here:  # the user's own choice stands
            yield
            return
        saved = os.dup(2)
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@contextlib.contextmanager
def _env_unless_set(name: str, value: str) -> Iterator[bool]:
    """`name` set to `value` for the duration (Ray reads it as it connects), unless the user set
    it; says whether it was set here."""
    if name in os.environ:
        yield False
        return
    os.environ[name] = value
    try:
        yield True
    finally:
        os.environ.pop(name, None)


def _cluster_news_to_stderr() -> None:
    """Ray prints the cluster's news (a worker died and its task is retried) on the driver's
    stdout, where `--json` promises one JSON object: they go to stderr, as the app's own do."""
    from ray._private import worker

    printer = getattr(worker, "print_to_stdstream", None)
    if printer is None or getattr(printer, "to_stderr", False):
        return

    def to_stderr(data: dict[str, Any], ignore_prefix: bool) -> None:
        printer({**data, "is_err": True}, ignore_prefix)

    to_stderr.to_stderr = True  # type: ignore[attr-defined]
    worker.print_to_stdstream = to_stderr


@contextlib.contextmanager
def _workers_at_normal_priority(address: str) -> Iterator[None]:
    """Ray runs its workers at niceness 15 unless told otherwise; a Ray started here for a run
    gives the model actors the priority the model has locally (decoding still yields to them).
    A cluster's own setting stands."""
    if address != LOCAL:
        yield
        return
    with _env_unless_set("RAY_worker_niceness", "0"):
        yield


def check_nodes_see(ray: Any, paths: Sequence[str]) -> None:
    """Every machine reads the photos from the path the driver knows them by: one probe per
    alive node says it can (and that it runs this version of the app) before any work starts."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    probe = ray.remote(num_cpus=0, max_retries=0)(_probe)
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    sample = list(paths)[:: max(1, len(paths) // PROBED_PATHS)][:PROBED_PATHS]
    pending = {
        probe.options(scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False)).remote(sample): n
        for n in nodes
    }
    ready, late = ray.wait(list(pending), num_returns=len(pending), timeout=PROBE_TIMEOUT)
    if late:
        raise UserError(f"the Ray node at {pending[late[0]]['NodeManagerAddress']} did not answer within a minute")
    for ref in ready:
        node = pending[ref]["NodeManagerAddress"]
        try:
            version, missing = ray.get(ref)
        except Exception as exc:  # noqa: BLE001 - any failure of the probe is told in one line
            raise UserError(f"the Ray node at {node} cannot run Photo Organizer: {_first_line(exc)}") from None
        if version != app.__version__:
            raise UserError(
                f"the Ray node at {node} runs Photo Organizer {version}, this machine {app.__version__}: "
                "install the same version on every machine"
            )
        if missing:
            raise UserError(
                f"the Ray node at {node} cannot see {missing[0]}: every machine of the cluster reads the "
                "photos from the same path (a shared or network folder mounted at the same place)"
            )


def _probe(paths: Sequence[str]) -> tuple[str, list[str]]:
    return app.__version__, ray_stages.missing_paths(paths)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Ray wraps a worker's error in a traceback; its last line is the error itself.
    return lines[-1] if len(lines) > 1 and "Traceback" in text else lines[0]


class _Stream:
    """Results as they arrive, honouring pause and stop between them (as `InOrder` does)."""

    def __init__(
        self,
        batches: Iterator[ray_stages.Batch],
        paused: threading.Event,
        should_stop: StopCheck,
        on_pause: Callable[[], None] | None,
    ) -> None:
        self._batches = batches
        self._paused = paused
        self._should_stop = should_stop
        self._on_pause = on_pause
        self.stopped = False

    def __iter__(self) -> Iterator[Any]:
        for batch in self._batches:
            for result in ray_stages.unpack(batch):
                wait_while_paused(self._paused, self._should_stop, self._on_pause)
                if self._should_stop():
                    self.stopped = True
                    return
                yield result


class RayIndexing:
    """One run's work on a cluster: the whole-image pass (scanned files in; links, failures and
    photos embedded with their thumbnails out) and the region pass (images in, what was found
    in them out), for the driver to commit as it commits its own."""

    def __init__(
        self,
        session: RaySession,
        model: ModelSpec,
        requested_device: str,
    ) -> None:
        self.session = session
        self.model = model
        self.requested_device = requested_device
        self._plan: Plan | None = None

    def plan(self) -> Plan:
        if self._plan is None:
            self._plan = plan_for(self.session.ray().nodes(), self.requested_device)
            log.info("models on Ray: %s", self._plan)
        return self._plan

    def embedded(
        self,
        work: Sequence[ScannedFile],
        input_spec: InputSpec,
        known_hashes: Collection[str],
        paused: threading.Event,
        should_stop: StopCheck,
        on_pause: Callable[[], None] | None = None,
    ) -> contextlib.AbstractContextManager[_Stream]:
        from ray.data import ActorPoolStrategy

        ray, plan = self._checked([w.path for w in work])
        files = ray.data.from_items(
            [ray_stages.row(item) for item in work], override_num_blocks=max(1, len(work) // DECODE_BATCH)
        )
        decoded = files.map_batches(
            ray_stages.read_and_decode,
            batch_size=DECODE_BATCH,
            fn_kwargs={"input_spec": input_spec, "known": ray_stages.ContentHashes(list(known_hashes))},
            num_cpus=DECODE_CPUS,
            # Memory for a photo being decoded; reserving it (the model actors reserve none)
            # also keeps Ray Data from fusing decoding into the actors, which would then decode
            # their batches themselves, on one core.
            memory=DECODE_MEMORY,
        )
        embedded = decoded.map_batches(
            ray_stages.Embedding,
            batch_size=plan.batch_size,
            compute=ActorPoolStrategy(size=plan.actors),
            fn_constructor_kwargs={"model": self.model, "device": plan.device},
            **plan.actor_resources,
        )
        return self._streamed(embedded, paused, should_stop, on_pause)

    def regions(
        self, work: Sequence[RegionWork], settings: Settings, paused: threading.Event, should_stop: StopCheck
    ) -> contextlib.AbstractContextManager[_Stream]:
        from ray.data import ActorPoolStrategy

        ray, plan = self._checked([w.path for w in work])
        images = ray.data.from_items(
            [ray_stages.row(item) for item in work], override_num_blocks=max(1, len(work) // plan.region_batch)
        )
        found = images.map_batches(
            ray_stages.RegionFinding,
            batch_size=plan.region_batch,
            compute=ActorPoolStrategy(size=plan.actors),
            fn_constructor_kwargs={"settings": settings, "model": self.model, "device": plan.device},
            **plan.actor_resources,
        )
        return self._streamed(found, paused, should_stop)

    def _checked(self, paths: Sequence[str]) -> tuple[Any, Plan]:
        ray = self.session.ray()
        check_nodes_see(ray, paths)
        return ray, self.plan()

    @contextlib.contextmanager
    def _streamed(
        self,
        dataset: Any,
        paused: threading.Event,
        should_stop: StopCheck,
        on_pause: Callable[[], None] | None = None,
    ) -> Iterator[_Stream]:
        ray = self.session.ray()
        batches = dataset.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=1)
        try:
            yield _Stream(batches, paused, should_stop, on_pause)
        except ray.exceptions.RayError as exc:
            raise UserError(f"the Ray cluster failed: {_first_line(exc)}; what was done is kept") from None
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # stops the pipeline: what is still in flight is redone next run
