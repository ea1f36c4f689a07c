"""The cost of stamping a Restricted or Confidential PDF for one recipient, against the floor of what pypdf
alone costs to read the same pages and write them out again (a copy, and the concatenation of the papers).
Not a test: figures.

    python bench/watermark.py [--papers 5] [--pages 10] [--runs 15]

The floor and the product are also taken in turn within each run ("side by side"): on a loaded host the
ratios of those pairs are the figures to compare. Needs no database: it calls
``meetings.services.watermark.stamp_pdf`` and ``meetings.services.pack.pack_render`` directly on papers
WeasyPrint lays out for the run (text and a table on A4, one paper on US Letter so two stamp sizes are
drawn). It runs unchanged on a tree from before the stamp was drawn without WeasyPrint (the "new font"
line is then left out), so the same file measures both side by side.

"stamp pack, new font" is the worst case of a reader's copy: a name whose characters beyond ASCII have not
been seen by this process, so the font is subset for it (cached afterwards).
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def paper(n: int, pages: int, size: str) -> bytes:
    from weasyprint import HTML

    rows = "".join(
        f"<tr><td>{i}</td><td>MSME indicator {i}</td><td>{i * 3.7:.1f}</td></tr>" for i in range(30)
    )
    body = "".join(
        f"<section style='page-break-after:always'><h1>Paper {n}, page {p}</h1>"
        f"<p>{'Access to finance for micro enterprises. ' * 12}</p><table>{rows}</table></section>"
        for p in range(1, pages + 1)
    )
    return HTML(string=f"<style>@page {{ size: {size}; }}</style>{body}").write_pdf()


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        gc.collect()  # the garbage of the run before is not charged to this one
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, max(times) * 1000


def side_by_side(floor, fns: dict, runs: int) -> tuple[float, dict[str, tuple[float, float]]]:
    """The floor and each measured function taken in turn within every run, so a loaded host slows them
    alike: the floor's median ms, and for each function its median ms and its median ratio to the floor
    of the same run."""
    floor_ms: list[float] = []
    ms: dict[str, list[float]] = {k: [] for k in fns}
    ratios: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        floor()
        base = time.perf_counter() - t
        floor_ms.append(base * 1000)
        for key, fn in fns.items():
            gc.collect()
            t = time.perf_counter()
            fn()
            took = time.perf_counter() - t
            ms[key].append(took * 1000)
            ratios[key].append(took / base)
    return statistics.median(floor_ms), {
        k: (statistics.median(ms[k]), statistics.median(ratios[k])) for k in fns
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--papers", type=int, default=5)
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    import django

    django.setup()
    from pypdf import PdfReader, PdfWriter

    from meetings.services.watermark import Stamp, stamp_pdf

    papers = [paper(n, args.pages, "Letter" if n == 0 else "A4") for n in range(args.papers)]
    stamp = Stamp("Confidential", "Nguyễn Thị Lan", "Viet Nam", "1 Dec 2026", "K7Q2M9XA")

    def concat() -> bytes:
        w = PdfWriter()
        for data in papers:
            w.append(PdfReader(io.BytesIO(data)))
        out = io.BytesIO()
        w.write(out)
        return out.getvalue()

    joined = concat()

    def copy_one() -> None:
        PdfWriter(clone_from=PdfReader(io.BytesIO(papers[1]))).write(io.BytesIO())

    per_paper = len(PdfReader(io.BytesIO(papers[1])).pages)
    total = sum(len(PdfReader(io.BytesIO(p)).pages) for p in papers)

    def pack() -> bytes:
        from meetings.models import AgendaVersion, Document, Meeting
        from meetings.services.pack import Entry, PackPlan, Paper, pack_render

        entries = [
            Entry(
                str(n + 1),
                f"Item {n + 1}",
                0,
                [
                    Paper(
                        Document(pk=n + 1, title=f"Paper {n}", version=1, content_type="application/pdf"),
                        data=d,
                    )
                ],
            )
            for n, d in enumerate(papers)
        ]
        plan = PackPlan(Meeting(title="21st ACCMSME Meeting"), AgendaVersion(number=1), 1, entries)
        return pack_render(plan)[0]

    rows = [
        (f"pypdf copy of one paper ({per_paper} pages): floor", *timed(copy_one, args.runs)),
        (f"stamp one paper ({per_paper} pages)", *timed(lambda: stamp_pdf(papers[1], stamp), args.runs)),
        (f"pypdf concatenation of {args.papers} papers ({total} pages): floor", *timed(concat, args.runs)),
        (
            f"stamp the concatenation ({total} pages, 2 page sizes)",
            *timed(lambda: stamp_pdf(joined, stamp), args.runs),
        ),
        (f"build the pack ({total} pages + front, numbers, bookmarks)", *timed(pack, args.runs)),
    ]
    built = pack()
    pages = len(PdfReader(io.BytesIO(built)).pages)
    rows.append((f"stamp the pack ({pages} pages)", *timed(lambda: stamp_pdf(built, stamp), args.runs)))
    stamp_built = lambda: stamp_pdf(built, stamp)  # noqa: E731

    def build_and_stamp() -> None:
        stamp_pdf(pack(), stamp)

    measured = {
        "stamp": lambda: stamp_pdf(joined, stamp),
        "pack": pack,
        "stamp pack": stamp_built,
        "both": build_and_stamp,
    }
    try:
        from meetings.services import stamp_text
    except ImportError:  # a tree from before stamp_text: every stamp is laid out by WeasyPrint
        stamp_text = None
    if stamp_text is not None:

        def stamp_new_font() -> None:
            # The subset made afresh for this call only: clearing the cache would make the next figure
            # (the pack, whose front uses the same font) pay a subset that a worker pays once.
            cached = stamp_text._subset
            stamp_text._subset = cached.__wrapped__
            try:
                stamp_pdf(built, stamp)
            finally:
                stamp_text._subset = cached

        measured["stamp pack, new font"] = stamp_new_font
    floor_ms, paired = side_by_side(concat, measured, args.runs)
    print(
        f"side by side with the floor ({total} pages, floor median {floor_ms:.1f} ms), median of per-run ratios:"
    )
    for key, (med, ratio) in paired.items():
        print(f"  {key:<21} {med:>8.1f} ms  {ratio:.2f}x")
    print(f"{'what':<62} {'median ms':>10} {'max ms':>8}")
    for what, med, worst in rows:
        print(f"{what:<62} {med:>10.1f} {worst:>8.1f}")
    print(
        f"against the floor: stamp one paper {rows[1][1] / rows[0][1]:.2f}x; stamp {total} pages "
        f"{rows[3][1] / rows[2][1]:.2f}x; build the pack {rows[4][1] / rows[2][1]:.2f}x; "
        f"build and stamp the pack {(rows[4][1] + rows[5][1]) / rows[2][1]:.2f}x"
    )
    print(
        f"sizes: paper {len(papers[1]) // 1024} KiB, stamped {len(stamp_pdf(papers[1], stamp)) // 1024} KiB"
    )


if __name__ == "__main__":
    main()
