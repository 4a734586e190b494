"""A library's taught names: teach one (or give it more examples), list, rename and forget
them, and learn them again for a model that has no vector for them yet (after a switch).

Learning reads the catalog and writes only at the end, in one transaction: a kill or a cancel
during training leaves the library as it was. The writes touch only the names' own tables, so
they need no writer lock and can land while photos are being indexed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from app.catalog import concepts, lookups
from app.catalog.concepts import ConceptSummary
from app.core.errors import UserError
from app.core.names import clean_name, name_key
from app.indexing.report import IndexProgress
from app.teaching import requests
from app.teaching.requests import TeachRequest

if TYPE_CHECKING:
    # The teaching stack (decoding, the model's training loop) imports when a name is taught or
    # reported: a search starts without it.
    from app.ml.embedder import ClipEmbedder
    from app.teaching.teacher import Teaching, TeachProgress, TeachReport

log = logging.getLogger(__name__)


class TaughtNames:
    """The names taught to one library. `model_key` and `embedder` are read when needed (the
    library's model can change, and loading it waits until a name is taught);
    `refuse_read_only(what)` and `require_vectors()` raise a `UserError` saying why not."""

    def __init__(
        self,
        engine: Engine,
        model_key: Callable[[], str],
        embedder: Callable[[], ClipEmbedder],
        refuse_read_only: Callable[[str], None],
        require_vectors: Callable[[], object],
    ) -> None:
        self.engine = engine
        self._model_key = model_key
        self._embedder = embedder
        self._refuse_read_only = refuse_read_only
        self._require_vectors = require_vectors

    def teaching(self) -> Teaching:
        from app.teaching.teacher import Teaching

        key = self._model_key()
        return Teaching(self.engine, self._embedder(), key, concepts.taught_vectors(self.engine, key))

    def vectors(self) -> dict:
        """The names learned for the library's model, with their word vectors (for searches)."""
        return concepts.taught_vectors(self.engine, self._model_key())

    def teach(
        self,
        request: TeachRequest,
        progress: TeachProgress | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> TeachReport:
        """Teach `request.name` from its photos and regions; from then on it is a word of the
        search. Adding (`request.add`) learns a taught name again from all its examples."""
        from app.teaching.teacher import learn

        self._refuse_read_only("teach it names")
        self._require_vectors()
        engine = self.engine
        name = clean_name(request.name)
        existing = requests.check_name(engine, name, request.add)
        chosen = requests.regions_of_photos(engine, request.photos) + [int(r) for r in request.region_ids]
        if len(lookups.regions(engine, chosen)) < len(set(chosen)):
            raise UserError("some of the chosen regions are no longer in the library (re-indexed or removed)")
        before = concepts.example_region_ids(engine, existing.id) if existing is not None else []
        all_regions = list(dict.fromkeys([*before, *chosen]))
        if existing is not None and len(all_regions) == len(before):
            raise UserError(f"those photos already are examples of {existing.name!r}")
        requests.check_examples(engine, all_regions, lookups.counts(engine).images)
        name = existing.name if existing is not None else name
        teaching = self.teaching()
        vector, report = learn(teaching, name, all_regions, progress, should_stop, request.steps)
        concepts.save_learned(engine, name, all_regions, teaching.model_key, vector, report.to_json())
        log.info("taught %r from %d examples in %.1f s", name, len(all_regions), report.seconds)
        return report

    def learn_again(
        self,
        progress: Callable[[IndexProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> int:
        """Learn, for the library's model, every name that has no vector for it yet, from the
        examples it was taught with. Returns how many were learned; a name whose examples are
        (nearly) all gone keeps its old vectors and waits. CancelledError when stopped."""
        from app.ml.name_learning import LearningOptions
        from app.teaching.teacher import learn

        model_key = self._model_key()
        waiting = [c for c in concepts.concepts(self.engine) if not c.learned_for(model_key)]
        if not waiting:
            return 0
        steps = LearningOptions().steps
        learned = 0
        for position, concept in enumerate(waiting):
            region_ids = concepts.example_region_ids(self.engine, concept.id)
            if len(region_ids) < requests.MIN_EXAMPLES:
                log.warning("%r has too few examples left to be learned for %s", concept.name, model_key)
                continue

            def step(done: int, _total: int, position: int = position, name: str = concept.name) -> None:
                if progress is not None:
                    progress(IndexProgress("names", position * steps + done, len(waiting) * steps, current=name))

            vector, report = learn(self.teaching(), concept.name, region_ids, step, should_stop)
            concepts.save_relearned(self.engine, concept.id, model_key, vector, report.to_json())
            learned += 1
        return learned

    def summaries(self) -> list[ConceptSummary]:
        """Every taught name, alphabetically, with its example and photo counts."""
        return concepts.concepts(self.engine)

    def to_json(self) -> list[dict]:
        """`concepts --json`: each name with its example count and the model it is learned for
        (the library's own when it is; else the one it was learned for, until learned again)."""
        model_key = self._model_key()
        out = []
        for c in concepts.concepts(self.engine):
            model = model_key if c.learned_for(model_key) else (c.models[0] if c.models else None)
            out.append({"name": c.name, "examples": c.examples, "photos": c.photos, "model": model})
        return out

    def find(self, name: str) -> ConceptSummary:
        found = concepts.find_concept(self.engine, name)
        if found is None:
            raise UserError(f"no name {name!r} has been taught; 'photo-organizer concepts' lists them")
        return found

    def forget(self, name: str) -> None:
        """Forget a taught name: its photos stay, and the word means what it did before."""
        self._refuse_read_only("forget names")
        concepts.forget(self.engine, name)

    def rename(self, old: str, new: str) -> None:
        """Rename a taught name; what it learned stays (a word vector does not depend on how the
        name is spelled)."""
        self._refuse_read_only("rename names")
        found = self.find(old)
        new = clean_name(new)
        if name_key(new) != name_key(found.name):
            requests.check_name(self.engine, new, adding=False)
        concepts.rename(self.engine, found.name, new)

    def photos(self, name: str) -> list[int]:
        """The ids of the photos a name was taught from."""
        return concepts.photos_of(self.engine, self.find(name).id)

    def report(self, name: str) -> TeachReport | None:
        """How the name's last learning for the library's model went (None: not learned for it)."""
        from app.teaching.teacher import TeachReport

        data = concepts.report_of(self.engine, self.find(name).id, self._model_key())
        return TeachReport.from_json(data) if data else None
