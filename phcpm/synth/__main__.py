"""Command line: ``python -m phcpm.synth [--seed N] [--out DIR] [--facilities N]``."""

from __future__ import annotations

import argparse
import sys
import time

from phcpm.errors import InputError
from phcpm.paths import DATASETS
from phcpm.synth import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m phcpm.synth",
        description="Write the synthetic district datasets (default: into datasets/).",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--out", default=None, help="folder to write to (default: datasets/)")
    parser.add_argument(
        "--facilities",
        type=int,
        default=None,
        help="write only org units, reporting and service data for this many facilities "
        "(for speed tests; needs --out)",
    )
    args = parser.parse_args(argv)
    if args.facilities is not None and args.out is None:
        parser.error("--facilities needs --out: large test data never goes into datasets/")
    out = args.out or DATASETS
    start = time.perf_counter()
    try:
        paths = generate(out, seed=args.seed, facilities=args.facilities)
    except InputError as err:
        print(err, file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in paths) / 1e6
    took = time.perf_counter() - start
    print(f"Wrote {len(paths)} files ({size:.1f} MB) to {out} in {took:.1f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
