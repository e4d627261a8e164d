#!/usr/bin/env python3
"""Checks traces.otlp.jsonl against OpenTelemetry's own protobuf definitions.

Every line is parsed as an opentelemetry.proto.trace.v1.TracesData by
protobuf's JSON parser, after the hex trace and span ids are turned into
bytes (OTLP/JSON writes ids as hex; protobuf's parser would read them as
base64 without complaint). Then, against segments.ndjson: one span per
X-Ray segment and subsegment, with the same id, parent and times, and every
parent present in its trace.

Prints "lines L spans S entities E problems P", after the problems.
Usage: otlp-check.py traces.otlp.jsonl segments.ndjson
"""
import base64, gzip, json, sys
from google.protobuf import json_format
from opentelemetry.proto.trace.v1.trace_pb2 import TracesData

def opener(path):
    return gzip.open(path, "rt") if path.endswith(".gz") else open(path)

def hex_to_b64(h, digits):
    if len(h) != digits or h != h.lower():
        raise ValueError("id %r is not %d lower-case hex digits" % (h, digits))
    return base64.b64encode(bytes.fromhex(h)).decode()

def micros(seconds):
    whole, _, frac = seconds.partition(".")
    return int(whole) * 1_000_000 + int((frac + "000000")[:6])

def entities(doc, parent, out):
    out[doc["id"]] = (doc.get("parent_id", parent), micros(repr_number(doc["start_time"])),
                      micros(repr_number(doc.get("end_time", doc["start_time"]))))
    for s in doc.get("subsegments", []):
        entities(s, doc["id"], out)

def repr_number(v):
    # json.loads gives floats; the documents hold six decimals exactly.
    return "%.6f" % v if isinstance(v, float) else str(v)

problems = []
xray = {}
with opener(sys.argv[2]) as f:
    for line in f:
        doc = json.loads(line, parse_float=str)
        entities(doc, None, xray)

lines = spans = 0
seen = {}
with opener(sys.argv[1]) as f:
    for n, line in enumerate(f, 1):
        lines += 1
        raw = json.loads(line)
        for rs in raw["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    s["traceId"] = hex_to_b64(s["traceId"], 32)
                    s["spanId"] = hex_to_b64(s["spanId"], 16)
                    if "parentSpanId" in s:
                        s["parentSpanId"] = hex_to_b64(s["parentSpanId"], 16)
        data = json_format.Parse(json.dumps(raw), TracesData())
        ids = {}
        for rs in data.resource_spans:
            names = {a.key for a in rs.resource.attributes}
            if "service.name" not in names:
                problems.append("line %d: a resource without service.name" % n)
            for ss in rs.scope_spans:
                for s in ss.spans:
                    spans += 1
                    sid = s.span_id.hex()
                    ids[sid] = s.parent_span_id.hex()
                    seen[sid] = (s.parent_span_id.hex() or None, s.start_time_unix_nano // 1000,
                                 s.end_time_unix_nano // 1000)
                    if s.kind == 0:
                        problems.append("line %d: span %s has no kind" % (n, sid))
        for sid, parent in ids.items():
            if parent and parent not in ids:
                problems.append("line %d: span %s's parent %s is not in its trace" % (n, sid, parent))

for sid, want in xray.items():
    got = seen.get(sid)
    if got is None:
        problems.append("entity %s has no span" % sid)
    elif got != want:
        problems.append("span %s: %s, but the document says %s" % (sid, got, want))
for sid in seen:
    if sid not in xray:
        problems.append("span %s is no X-Ray entity" % sid)
for p in problems[:20]:
    print(p)
print("lines", lines, "spans", spans, "entities", len(xray), "problems", len(problems))
