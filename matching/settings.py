"""Settings of a linkage run: thresholds, samples and the EM fit, with defaults.

Example:
    >>> MatchSettings.from_dict({"threshold_auto": 0.9999}).threshold_auto
    0.9999
    >>> MatchSettings.from_dict({"treshold": 1})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Received invalid setting `treshold`. Valid settings are: threshold_auto, threshold_review, ...
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class MatchSettings:
    threshold_auto: float = 0.999
    """A link is `auto` (counted in assessments) when the row's probability of being this
    person, against every other candidate, is at least this."""
    threshold_review: float = 0.2
    """Below `threshold_auto` and at least this: a `review` link, shown but not counted."""
    sample_identities: int = 50_000
    """Random (identity, member) pairs describing non-matches for the u probabilities. (At 20k
    households 50,000 give the very links 100,000 gave, for 0.1 s less: bench/matching.py.)"""
    sample_properties: int = 4_000
    """Random (property location, member address) pairs for the address u probabilities."""
    sample_member_orgs: int = 400
    """Members whose known organisations are paired with every organisation for its u."""
    seed: int = 20261128
    """Seed of every sample: the same data give the same parameters."""
    em_max_iterations: int = 200
    em_tolerance: float = 1e-6
    prior_strength: float = 5.0
    """Pseudo-matches pulling each m toward its starting value (keeps unseen levels finite)."""
    learn_from_answers: bool = True
    """Caseworkers' confirmed / denied answers enter the EM fit as labelled pairs.

    Measured on the generated province (`bench/review.py`, 2,000 households, 782 review links):
    auto precision stays 1.0000 and no true link leaves the queue unanswered; the fit moves
    little, because a few hundred answers weigh little against ~85k scored pairs and the
    model's probabilities are already close to the answers (the top of the review band was
    confirmed 144 of 144). An earlier version lost 49 true review links once answers were
    learned: the relative's-ID rule (`decide`) was read from whichever candidate scored
    highest, and the re-estimated weights reordered them; the rule now reads the levels."""
    label_strength: float = 5.0
    """Pseudo-pairs of the EM estimate against a pattern's answers, for its unanswered pairs
    (small: a few answers settle the pattern; large: only the answered pairs are fixed)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold_review <= self.threshold_auto < 1.0:
            raise ValueError(f"Received threshold_review={self.threshold_review}, threshold_auto="
                             f"{self.threshold_auto}. They need 0 < review <= auto < 1.")

    @classmethod
    def from_dict(cls, values: dict) -> "MatchSettings":
        known = [f.name for f in fields(cls)]
        for key in values:
            if key not in known:
                raise ValueError(f"Received invalid setting `{key}`. Valid settings are: "
                                 f"{', '.join(known[:2])}, ... (all: {', '.join(known)})")
        return cls(**values)

    @classmethod
    def from_path_or_dict(cls, source: str | Path | dict | None) -> "MatchSettings":
        if source is None:
            return cls()
        if isinstance(source, dict):
            return cls.from_dict(source)
        return cls.from_dict(json.loads(Path(source).read_text(encoding="utf-8")))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)
