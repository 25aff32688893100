"""Where `lakesight ml train` writes: generated folders (docs/security.md, "Generated folders").

The model folder (`--out`: model.pkl, metrics.json) and the model card's folder (the parent of
`--card`: the page and its `vendor/` scripts) are generated folders of kind `ml`
(lakesight/outputs.py): each is written as a new generation and switched to at once, and a folder
holding anything else is refused, naming it, before the model is trained. When one of the two
folders is the other or lies inside it, the outer one is the generated folder and holds both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakesight.consume.ml.card import render_card
from lakesight.consume.ml.train import (
    Result,
    metrics_document,
    read_features,
    train,
    write_model,
    write_predictions,
)
from lakesight.outputs import ML, check_target, generation, output_lock


@dataclass(frozen=True)
class Folder:
    """A generated folder of `ml train` and what goes in it (paths relative to it)."""

    path: Path
    model: Path | None  # the folder of model.pkl and metrics.json
    card: Path | None  # the model card page


def plan(out: Path, card: Path) -> list[Folder]:
    """The generated folders for `--out` and `--card`: one when one lies in the other."""
    model_dir, card_dir = Path(os.path.abspath(out)), Path(os.path.abspath(card.parent))
    if card_dir == model_dir or model_dir in card_dir.parents:
        return [Folder(out, Path("."), card_dir.relative_to(model_dir) / card.name)]
    if card_dir in model_dir.parents:
        return [Folder(card.parent, model_dir.relative_to(card_dir), Path(card.name))]
    return [Folder(out, Path("."), None), Folder(card.parent, None, Path(card.name))]


def check(out: Path, card: Path) -> list[Folder]:
    """The plan, once every folder of it is one `ml train` may write (else OutputError)."""
    folders = plan(out, card)
    for folder in folders:
        check_target(folder.path, ML)
    return folders


def write(folders: list[Folder], result: Result, doc: dict[str, Any]) -> None:
    """Write each folder's new generation and switch to it (the model folder first)."""
    for folder in folders:
        with output_lock(folder.path, ML), generation(folder.path, ML) as new:
            if folder.model is not None:
                write_model(new.folder / folder.model, result, doc)
            if folder.card is not None:
                render_card(doc, new.folder / folder.card)


def train_churn_model(database: Path, out: Path, card: Path) -> tuple[Result, int]:
    """Train on the warehouse's features, write model, metrics and card into their generated
    folders (checked before training), and replace the predictions table; the result and the
    number of predictions written."""
    folders = check(out, card)
    frame = read_features(database)
    result = train(frame)
    write(folders, result, metrics_document(result))
    return result, write_predictions(database, frame, result)
