#!/usr/bin/env python3
"""Class-for-class agreement with pt-query-digest on a folder of slow logs.

For each file: pt-query-digest's classes (fingerprint -> count) and
logstitch's queries.csv classes (fingerprint -> count summed over instances
and databases, as pt-query-digest groups by fingerprint alone). A file
agrees when both give the same classes with the same counts. One documented
difference is applied to pt-query-digest's side first: logstitch's classes
do not depend on comments, and pt-query-digest keeps the space a trailing
comment leaves, so its fingerprints are compared without trailing spaces
(two of its classes may then be one). Prints one
line per file that disagrees, then the figure; exits 1 below --min.

usage: pt-agreement.py SAMPLES_DIR LOGSTITCH_BINARY [--min PERCENT] [--verbose]
"""
import csv, gzip, json, os, subprocess, sys, tempfile
from collections import Counter

def pt_classes(path):
    # pt-query-digest reads files as they are: a .gz is given to it unpacked.
    with tempfile.NamedTemporaryFile(suffix=".log") as plain:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                plain.write(f.read())
            plain.flush()
            path = plain.name
        out = subprocess.run(["pt-query-digest", "--output", "json", "--limit", "100%", path],
                             capture_output=True, text=True, timeout=300)
    text = out.stdout.strip()
    if not text:
        return Counter()
    data = json.loads(text[text.index("{"):]) if "{" in text else {"classes": []}
    classes = Counter()
    for c in data.get("classes", []):
        classes[c["fingerprint"].rstrip(" ")] += int(c["query_count"])
    return classes

def logstitch_classes(binary, path):
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([binary, "convert", "--output", out + "/o", path], capture_output=True, text=True, timeout=300)
        if run.returncode not in (0, 3):
            raise RuntimeError(f"logstitch exited {run.returncode}: {run.stderr}")
        classes = Counter()
        with open(out + "/o/queries.csv", newline="") as f:
            for row in csv.DictReader(f):
                classes[row["fingerprint"]] += int(row["count"])
        return classes

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    minimum = float(sys.argv[sys.argv.index("--min") + 1]) if "--min" in sys.argv else 0.0
    if "--min" in sys.argv:
        args.remove(sys.argv[sys.argv.index("--min") + 1])
    verbose = "--verbose" in sys.argv
    samples, binary = args
    files = sorted(f for f in os.listdir(samples) if os.path.isfile(os.path.join(samples, f)))
    agree = 0
    for name in files:
        path = os.path.join(samples, name)
        pt, ours = pt_classes(path), logstitch_classes(binary, path)
        if pt == ours:
            agree += 1
            continue
        print(f"differs: {name}: pt-query-digest {sum(pt.values())} in {len(pt)} classes, logstitch {sum(ours.values())} in {len(ours)}")
        if verbose:
            for fp in sorted(set(pt) | set(ours)):
                if pt[fp] != ours[fp]:
                    print(f"    pt {pt[fp]:4d}  ours {ours[fp]:4d}  {fp[:150]!r}")
    share = 100.0 * agree / len(files) if files else 0.0
    print(f"agreement: {agree} of {len(files)} files ({share:.1f}%) class for class with pt-query-digest")
    sys.exit(0 if share >= minimum else 1)

main()
