#!/usr/bin/env python3
"""Throughput and peak memory of `readout run`, end to end.

  python3 scripts/bench.py            # Reuters-21578 (1 and 2 threads), then
                                      # replicated to ~20k and ~1M articles
  python3 scripts/bench.py --quick    # Reuters-21578 only
  python3 scripts/bench.py --skeleton # reading, cleaning and writing only
                                      # (`run.stages = []`)
  python3 scripts/bench.py --repeat 5 # each row is the median of 5 runs
  python3 scripts/bench.py --skeleton --sizes 20000,200000,1000000,2000000
                                      # memory across corpus sizes
  python3 scripts/bench.py --files 300000
                                      # adds a corpus of 300,000 one-article
                                      # files (BBC texts, as news-please
                                      # writes one file per article)

MB/s counts the raw article text read (manifest `input_bytes`) per second of
wall time; "MB per CPU-second" divides by user+system time instead, which is
the per-core throughput and holds on a busy machine. Peak memory is the maximum
resident set size reported by /usr/bin/time. The replicated corpora are
folders of symlinks to the shared Reuters files (no copies), with ids taken
from each copy's path so that every article stays distinct.

Each row is the run with the median wall time of `--repeat` runs (default
3), with the slowest and fastest MB/s beside it: a virtual machine's speed
drifts by a fifth from minute to minute, and one run says little. Peak
memory is the highest of the runs, with the median of the runs' peaks beside
it: one run's peak moves by 2-3 MiB with how the threads' transient buffers
(blocks of JSON files, row groups being encoded, batches in the channels) happen
to coincide."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REUTERS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "reuters21578"))
BIN = os.path.join(ROOT, "target", "release", "readout")
# Record ids come from each file's path: replicated copies stay distinct.
BENCH_CONFIG = """{stages}[readers.json.fields]
id = []
text = ["body"]
published = ["date"]
"""
ARTICLES_PER_COPY = 19043  # Reuters-21578 records with a body


def run(corpus, threads, work, skeleton=False, base_config=None):
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    config = os.path.join(work, "bench.toml")
    with open(config, "w") as f:
        stages = "[run]\nstages = []\n" if skeleton else ""
        if base_config:
            # The stages go first: the base config may end inside a table.
            f.write(stages + open(base_config).read())
        else:
            f.write(BENCH_CONFIG.format(stages=stages))
    timing = os.path.join(work, "time.txt")
    cmd = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", timing, BIN, "run", "--quiet",
           "--config", config, "--corpus", corpus, "--out", out, "--threads", str(threads)]
    subprocess.run(cmd, check=True)
    seconds, user, system, max_kb = open(timing).read().split()[-4:]
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    shutil.rmtree(out, ignore_errors=True)
    return {
        "articles": manifest["rows"]["articles"],
        "mb": manifest["input_bytes"] / 1e6,
        "seconds": float(seconds),
        "cpu_seconds": float(user) + float(system),
        "peak_mib": int(max_kb) / 1024,
        "timings": manifest["timings"],
    }


def measure(corpus, threads, work, skeleton, repeat, base_config=None):
    runs = sorted((run(corpus, threads, work, skeleton, base_config) for _ in range(repeat)), key=lambda r: r["seconds"])
    median = dict(runs[len(runs) // 2])
    median["mbps_range"] = (runs[-1]["mb"] / runs[-1]["seconds"], runs[0]["mb"] / runs[0]["seconds"])
    peaks = sorted(r["peak_mib"] for r in runs)
    median["peak_mib"] = peaks[-1]
    median["peak_median_mib"] = peaks[len(peaks) // 2]
    return median


BBC = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "bbc"))
BBC_CONFIG = os.path.join(ROOT, "configs", "bbc.toml")


def one_file_per_article(work, count):
    """A corpus of `count` one-article files (symlinks to the BBC texts, in
    folders of 1,000), where the number of files, not the article text,
    grows."""
    corpus = os.path.join(work, f"files-{count}")
    if os.path.isdir(corpus):
        return corpus
    texts = sorted(os.path.join(d, f) for d, _, fs in os.walk(BBC) for f in fs if f.endswith(".txt"))
    for n in range(count):
        d = os.path.join(corpus, f"part-{n // 1000:05d}")
        if n % 1000 == 0:
            os.makedirs(d)
        os.symlink(texts[n % len(texts)], os.path.join(d, f"article-{n % 1000:03d}.txt"))
    return corpus


def replicate(work, copies):
    corpus = os.path.join(work, f"replicated-{copies}")
    if os.path.isdir(corpus):
        return corpus
    files = sorted(f for f in os.listdir(REUTERS) if f.endswith(".json"))
    for c in range(copies):
        d = os.path.join(corpus, f"copy-{c:04d}")
        os.makedirs(d)
        for f in files:
            os.symlink(os.path.join(REUTERS, f), os.path.join(d, f))
    return corpus


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Reuters-21578 only")
    parser.add_argument("--skeleton", action="store_true", help="no optional stage: reading, cleaning, writing")
    parser.add_argument("--articles", type=int, default=1_000_000, help="size of the large replicated corpus")
    parser.add_argument("--sizes", default="", help="replicated corpus sizes, comma-separated (default: 20000 and --articles)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per row; the median is reported")
    parser.add_argument("--files", type=int, default=0, help="also a corpus of this many one-article files")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="readout-bench-")
    rows = []
    try:
        for threads in (1, 2):
            rows.append(("reuters21578", threads, measure(REUTERS, threads, work, args.skeleton, args.repeat)))
        if not args.quick:
            sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else [20_000, args.articles]
            for target in sizes:
                copies = max(1, round(target / ARTICLES_PER_COPY))
                corpus = replicate(work, copies)
                rows.append((f"replicated x{copies}", 2, measure(corpus, 2, work, args.skeleton, args.repeat)))
        if args.files:
            corpus = one_file_per_article(work, args.files)
            rows.append((f"{args.files} BBC files", 2, measure(corpus, 2, work, args.skeleton, args.repeat, BBC_CONFIG)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("stages:", "none (skeleton)" if args.skeleton else "all", f"(median of {args.repeat} runs per row)")
    print("| corpus | threads | articles | MB | wall s | CPU s | MB/s (wall) | MB/s range | MB per CPU-second | peak MiB | median peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, threads, r in rows:
        rate = r["mb"] / r["seconds"]
        per_cpu = r["mb"] / max(r["cpu_seconds"], 1e-9)
        low, high = r["mbps_range"]
        print(f"| {name} | {threads} | {r['articles']} | {r['mb']:.1f} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {rate:.1f} | {low:.1f}-{high:.1f} | {per_cpu:.1f} | {r['peak_mib']:.0f} | {r['peak_median_mib']:.1f} |")
    print()
    print("MB per CPU-second is the per-core figure; it does not depend on what else the machine runs.")
    print()
    print("stage seconds (summed over threads) on the last run:", json.dumps(rows[-1][2]["timings"]))


if __name__ == "__main__":
    sys.exit(main())
