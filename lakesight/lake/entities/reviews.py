"""Product reviews labelled by a SageMaker Ground Truth sentiment job (output manifest lines)."""

from __future__ import annotations

from typing import Any

import numpy as np

from lakesight.lake import reference
from lakesight.lake.entities.products import Catalogue
from lakesight.lake.plan import Plan
from lakesight.lake.rng import SECONDS_PER_DAY, Stream, rng_for
from lakesight.lake.timefmt import format_micros_iso


def label_attribute(plan: Plan, day: int) -> str:
    """The labelling job's attribute name in the partition of `day`."""
    late = day - plan.first_day >= reference.LABEL_V2_AFTER_DAYS
    return "sentiment-v2" if late else "review-sentiment"


def review_records(plan: Plan, catalogue: Catalogue, day: int) -> list[dict[str, Any]]:
    """The manifest lines the labelling job outputs on `day`, in creation order."""
    rng = rng_for(plan.seed, Stream.REVIEWS, day)
    i = plan.index(day)
    n = int(plan.reviews[i])
    first_id = int(plan.reviews_before[i]) + 1
    product = catalogue.sample(rng, n)
    quality = catalogue.quality[product - 1]
    u = rng.random(n)
    truth = np.where(u < quality, 2, np.where(u < quality + (1 - quality) * 0.4, 1, 0))
    opener = rng.random(n)
    detail = rng.random((n, 2))
    two_details = rng.random(n) < 0.3
    correct = rng.random(n) < reference.LABEL_ACCURACY
    label = np.where(correct, truth, (truth + rng.integers(1, 3, n)) % 3)
    auto = rng.random(n) < reference.AUTO_LABEL_SHARE
    confidence = np.where(auto, rng.uniform(0.8, 0.99, n), rng.uniform(0.55, 0.99, n))
    created = np.sort(
        day * SECONDS_PER_DAY * 1_000_000 + rng.integers(0, SECONDS_PER_DAY * 10**6, n)
    )
    attr = label_attribute(plan, day)
    records = []
    for j in range(n):
        t = int(truth[j])
        openers, details = reference.REVIEW_OPENERS[t], reference.REVIEW_DETAILS[t]
        text = (
            f"{openers[int(opener[j] * len(openers))]}, {details[int(detail[j, 0] * len(details))]}"
        )
        if two_details[j]:
            extra = details[int(detail[j, 1] * len(details))]
            if extra not in text:
                text += f" and {extra}"
        records.append(
            {
                "source": text,
                "review_id": f"R{first_id + j:07d}",
                "product_id": int(product[j]),
                attr: int(label[j]),
                f"{attr}-metadata": {
                    "class-name": reference.SENTIMENT_CLASSES[int(label[j])],
                    "confidence": round(float(confidence[j]), 2),
                    "human-annotated": "no" if auto[j] else "yes",
                    "type": "groundtruth/text-classification",
                    "job-name": f"labeling-job/{attr}",
                    "creation-date": format_micros_iso(int(created[j])),
                },
            }
        )
    return records
