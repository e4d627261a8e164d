#!/usr/bin/env python3
"""Builds two of issue 19's benchmark shapes from a generated day corpus.

  bench-shapes.py many-small DAY OUT [FILES]
      The day's access logs and Lambda exports cut into about FILES (20,000)
      gzip files of a few KB each, in the same folders (each file's lines
      or export events kept whole and in order; slow logs stay as they are,
      since a slow log is one file per hour).
  bench-shapes.py one-big DAY OUT [MB]
      One Firehose object of about MB (1,000) uncompressed megabytes: every
      API Gateway access-log line and Lambda export event of the day as
      CloudWatch subscription envelopes (50 events each, one gzip member
      per envelope), then the day's own Firehose envelopes; repeated a day
      later each time until the size is reached, so no record repeats.
"""
import gzip
import json
import os
import re
import sys

STAMP = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def files(root, top):
    for d, _, names in sorted(os.walk(os.path.join(root, top))):
        for n in sorted(names):
            yield os.path.join(d, n)


def export_events(data):
    """A CloudWatch export's events: a line starting with a timestamp opens one."""
    events = []
    for line in data.split(b"\n"):
        if STAMP.match(line) or not events:
            events.append(line)
        else:
            events[-1] += b"\n" + line
    return [e for e in events if e]


def members(data):
    """The contents of each gzip member of `data`, in order."""
    import zlib

    out = []
    while data:
        d = zlib.decompressobj(31)
        out.append(d.decompress(data))
        data = d.unused_data
    return out


def many_small(day, out, wanted):
    sources = list(files(day, "apigateway")) + list(files(day, "exportedlogs/aws/lambda"))
    units = []
    for path in sources:
        data = gzip.open(path).read()
        units.append((path, export_events(data) if "exportedlogs" in path else [l for l in data.split(b"\n") if l]))
    total = sum(len(u) for _, u in units)
    per_file = max(1, total // wanted)
    count = 0
    for path, records in units:
        rel = os.path.relpath(path, day)
        base = rel[: -len(".gz")] if rel.endswith(".gz") else rel
        for k in range(0, len(records), per_file):
            target = os.path.join(out, "%s-%05d.gz" % (base, k // per_file))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with gzip.open(target, "wb", compresslevel=4) as f:
                f.write(b"\n".join(records[k : k + per_file]) + b"\n")
            count += 1
    # Firehose objects: their envelopes (one gzip member each) a few to a file.
    for path in files(day, "firehose"):
        rel = os.path.relpath(path, day)
        envelopes = members(open(path, "rb").read())
        for k in range(0, len(envelopes), 4):
            target = os.path.join(out, "%s-%05d.gz" % (rel[: -len(".gz")] if rel.endswith(".gz") else rel, k // 4))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                for e in envelopes[k : k + 4]:
                    f.write(gzip.compress(e, compresslevel=4))
            count += 1
    for path in files(day, "exportedlogs/aws/rds"):
        target = os.path.join(out, os.path.relpath(path, day))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(path, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read())
        count += 1
    print("many-small: %d files" % count)


DAY_MS = 86_400_000
STAMP_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def iso_ms(text):
    from datetime import datetime, timezone

    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


def one_big(day, out, megabytes):
    # (group, stream, [(ms, message)]) per source file.
    batches = []
    for path in files(day, "apigateway"):
        stage = path.split(os.sep)[-6] if "apigateway" in path else "prod"
        for line in gzip.open(path).read().decode().split("\n"):
            if not line.startswith("{"):
                continue  # the staging stage's CSV lines need their template
            ms = int(json.loads(line)["requestTimeEpoch"])
            batches.append(("/aws/apigateway/access-logs/%s" % stage, "a1b2c3d4e5_%s" % stage, ms, line))
    for path in files(day, "exportedlogs/aws/lambda"):
        parts = path.split(os.sep)
        i = parts.index("lambda")
        group, stream = "/aws/lambda/" + parts[i + 1], "/".join(parts[i + 3 : -1])
        for event in export_events(gzip.open(path).read()):
            text = event.decode()
            batches.append((group, stream, iso_ms(text[:24]), text[25:]))
    firehose = [gzip.open(p).read() for p in files(day, "firehose")]
    target = os.path.join(out, "firehose", "2024", "01", "01", "00", "logs-to-s3-big.gz")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    written, shift, n = 0, 0, 0
    with open(target, "wb") as f:
        while written < megabytes * 1_000_000:
            key = None
            events = []

            def flush():
                nonlocal written
                if not events:
                    return
                env = json.dumps(
                    {
                        "messageType": "DATA_MESSAGE",
                        "owner": "123456789012",
                        "logGroup": key[0],
                        "logStream": key[1],
                        "subscriptionFilters": ["to-firehose"],
                        "logEvents": events,
                    },
                    separators=(",", ":"),
                ).encode()
                f.write(gzip.compress(env, compresslevel=4))
                written += len(env)
                events.clear()

            for group, stream, ms, message in batches:
                if (group, stream) != key or len(events) == 50:
                    flush()
                    key = (group, stream)
                n += 1
                if shift:
                    message = STAMP_TEXT.sub(lambda m: shifted(m.group(0), shift), message)
                    message = re.sub(r'"requestTimeEpoch":"(\d+)"', lambda m: '"requestTimeEpoch":"%d"' % (int(m.group(1)) + shift), message)
                events.append({"id": "%d%06d" % (ms + shift, n % 1_000_000), "timestamp": ms + shift, "message": message})
                if written >= megabytes * 1_000_000:
                    break
            flush()
            if shift == 0:
                for member in firehose:
                    f.write(gzip.compress(member, compresslevel=4))
                    written += len(member)
            shift += DAY_MS
    print("one-big: %d MB uncompressed, %d MB on disk" % (written // 1_000_000, os.path.getsize(target) // 1_000_000))


def shifted(text, shift_ms):
    from datetime import datetime, timedelta, timezone

    t = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(milliseconds=shift_ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("many-small", "one-big"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "many-small":
        many_small(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 20_000)
    else:
        one_big(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1_000)
