"""Progress of a build, an add or a remove in the learner's language: stage names, counts, times.

The library names its stages in English ("embedding chunks") for the command line and the
build's status file, which other processes read. The app translates them here through a
table keyed by that name; a stage the table does not know keeps its English name, so a
new stage shows up at once, untranslated, rather than not at all.
"""

from __future__ import annotations

from indexer.progress import StageTiming

from .i18n import N_, _

STAGES = {
    "waiting for another write to this index to finish": N_("waiting for another write to this index to finish"),
    "checking the knowledge graph": N_("checking the knowledge graph"),
    "reading files": N_("reading files"),
    "chunking": N_("chunking"),
    "linking entities": N_("linking entities"),
    "loading the encoder": N_("loading the encoder"),
    "exporting the question encoder": N_("exporting the question encoder"),
    "embedding chunks": N_("embedding chunks"),
    "embedding graph entities": N_("embedding graph entities"),
    "checking fingerprints": N_("checking fingerprints"),
    "copying the live index": N_("copying the live index"),
    "removing documents": N_("removing documents"),
    "writing the vector index": N_("writing the vector index"),
    "saving the knowledge graph": N_("saving the knowledge graph"),
    "opening the updated index": N_("opening the updated index"),  # the app's own last stage (My notes)
}


def stage_name(stage: str) -> str:
    """``stage`` in the learner's language; an unknown stage keeps its English name."""
    return _(STAGES[stage]) if stage in STAGES else stage


def seconds_text(seconds: float) -> str:
    """'8 s', '2 min 5 s' in the learner's language (the app's counterpart of ``indexer.progress.format_seconds``)."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return _("{s} s").format(s=seconds)
    return _("{m} min {s} s").format(m=seconds // 60, s=seconds % 60)


def describe(timing: StageTiming) -> str:
    """One line for the current stage: 'embedding chunks: 45 of 100 · 12 s, about 15 s left', translated."""
    if timing.total:
        counts = _("{done:,} of {total:,}").format(done=timing.done, total=timing.total)
    else:
        counts = f"{timing.done:,}"
    text = f"{stage_name(timing.stage)}: {counts} · {seconds_text(timing.elapsed)}"
    if timing.left is not None and timing.done < timing.total:
        text += _(", about {time} left").format(time=seconds_text(timing.left))
    return text


def finished_lines(finished: list[tuple[str, float]]) -> str:
    """The stages done, each with ✓ and its time, as a Markdown list."""
    return "\n".join(f"- :green[:material/check:] {stage_name(stage)} · {seconds_text(seconds)}" for stage, seconds in finished)
