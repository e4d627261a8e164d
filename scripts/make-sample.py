#!/usr/bin/env python3
"""Writes testdata/sample: a small, internally consistent scenario of all
three sources (run once; the output is committed). Times are 2024-01-01 UTC."""
import gzip, json, os, shutil

ROOT = os.path.join(os.path.dirname(__file__), "..", "testdata", "sample")
shutil.rmtree(ROOT, ignore_errors=True)

def gz_members(path, chunks):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        for c in chunks:
            f.write(gzip.compress(c.encode(), mtime=0))

def ts(s, ms):  # "00:00:01", 123 -> export prefix
    return f"2024-01-01T{s}.{ms:03d}Z"

# --- API Gateway REST, stage prod: JSON (default keys) ---------------------
prod = [
    dict(requestId="a1000000-0000-4000-8000-000000000001", ip="198.51.100.7", requestTime="01/Jan/2024:00:00:01 +0000",
         requestTimeEpoch="1704067201000", httpMethod="GET", resourcePath="/orders/{orderId}", path="/prod/orders/42",
         status="200", responseLength="482", responseLatency="912", integrationLatency="905",
         integrationRequestId="3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01", xrayTraceId="1-65920081-8f1c6d2a4b3e5f6a7b8c9d01",
         stage="prod", apiId="a1b2c3d4e5", userAgent="curl/8.5.0"),
    dict(requestId="a1000000-0000-4000-8000-000000000002", ip="198.51.100.8", requestTime="01/Jan/2024:00:00:03 +0000",
         requestTimeEpoch="1704067203500", httpMethod="GET", resourcePath="/orders/{orderId}", path="/prod/orders/43",
         status="200", responseLength="480", responseLatency="130", integrationLatency="121",
         integrationRequestId="3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02", xrayTraceId="-",
         stage="prod", apiId="a1b2c3d4e5", userAgent="curl/8.5.0"),
    dict(requestId="a1000000-0000-4000-8000-000000000003", ip="198.51.100.9", requestTime="01/Jan/2024:00:00:05 +0000",
         requestTimeEpoch="1704067205000", httpMethod="POST", resourcePath="/payments", path="/prod/payments",
         status="504", responseLength="41", responseLatency="3020", integrationLatency="3012",
         integrationRequestId="-", xrayTraceId="1-65920085-0000000000000000000000a3",
         stage="prod", apiId="a1b2c3d4e5", userAgent="python-requests/2.31"),
    dict(requestId="a1000000-0000-4000-8000-000000000004", ip="198.51.100.10", requestTime="01/Jan/2024:00:00:06 +0000",
         requestTimeEpoch="1704067206000", httpMethod="GET", resourcePath="/orders/{orderId}", path="/prod/orders/44",
         status="429", responseLength="35", responseLatency="2", integrationLatency="-",
         integrationRequestId="-", xrayTraceId="-", stage="prod", apiId="a1b2c3d4e5", userAgent="curl/8.5.0",
         errorMessage="Too Many Requests"),
    dict(requestId="a1000000-0000-4000-8000-000000000005", ip="198.51.100.11", requestTime="01/Jan/2024:00:00:07 +0000",
         requestTimeEpoch="1704067207000", httpMethod="POST", resourcePath="/orders", path="/prod/orders",
         status="502", responseLength="36", responseLatency="48", integrationLatency="40",
         integrationRequestId="3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a05", xrayTraceId="-",
         stage="prod", apiId="a1b2c3d4e5", userAgent="curl/8.5.0"),
]
lines = [json.dumps(r, separators=(",", ":")) for r in prod]
# Firehose-style object: one gzip member per line.
gz_members(os.path.join(ROOT, "apigateway/prod/access-2024-01-01.log.gz"), [l + "\n" for l in lines])

# --- stage staging: the user's CSV template (given with --apigw-format) -----
staging_tpl = "$context.requestId,$context.identity.sourceIp,$context.requestTimeEpoch,$context.httpMethod,$context.resourcePath,$context.status,$context.responseLatency,$context.integrationLatency,$context.integration.requestId,$context.stage,$context.apiId"
with open(os.path.join(ROOT, "..", "apigw-staging-format.txt"), "w") as f:
    f.write(staging_tpl + "\n")
staging = [
    "b2000000-0000-4000-8000-000000000001,203.0.113.5,1704067202000,GET,/orders/{orderId},200,75,70,3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11,staging,a1b2c3d4e5",
    "b2000000-0000-4000-8000-000000000002,203.0.113.5,1704067204000,GET,/orders/{orderId},404,12,-,-,staging,a1b2c3d4e5",
]
os.makedirs(os.path.join(ROOT, "apigateway/staging"), exist_ok=True)
with open(os.path.join(ROOT, "apigateway/staging/access.log"), "w") as f:
    f.write("\n".join(staging) + "\n")

# --- Lambda orders-handler: text format, CloudWatch export ----------------
stream = "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef"
rid1, rid2, rid5, rid11 = ("3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a01", "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a02",
                           "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a05", "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11")
orders = [
    f"{ts('00:00:00',450)} INIT_START Runtime Version: nodejs:20.v15\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:379cd8c4",
    f"{ts('00:00:01',5)} START RequestId: {rid1} Version: $LATEST",
    f"{ts('00:00:01',120)} 2024-01-01T00:00:01.120Z\t{rid1}\tINFO\tfetching order 42",
    f"{ts('00:00:01',905)} END RequestId: {rid1}",
    f"{ts('00:00:01',905)} REPORT RequestId: {rid1}\tDuration: 900.25 ms\tBilled Duration: 901 ms\tMemory Size: 512 MB\tMax Memory Used: 91 MB\tInit Duration: 420.50 ms\t",
    "XRAY TraceId: 1-65920081-8f1c6d2a4b3e5f6a7b8c9d01\tSegmentId: 3d752a1b1bbe37e0\tSampled: true\t",
    f"{ts('00:00:02',3)} START RequestId: {rid11} Version: $LATEST",
    f"{ts('00:00:02',71)} END RequestId: {rid11}",
    f"{ts('00:00:02',71)} REPORT RequestId: {rid11}\tDuration: 67.80 ms\tBilled Duration: 68 ms\tMemory Size: 512 MB\tMax Memory Used: 92 MB\t",
    f"{ts('00:00:03',505)} START RequestId: {rid2} Version: $LATEST",
    f"{ts('00:00:03',625)} END RequestId: {rid2}",
    f"{ts('00:00:03',625)} REPORT RequestId: {rid2}\tDuration: 118.40 ms\tBilled Duration: 119 ms\tMemory Size: 512 MB\tMax Memory Used: 92 MB\t",
    f"{ts('00:00:07',4)} START RequestId: {rid5} Version: $LATEST",
    f"{ts('00:00:07',30)} 2024-01-01T00:00:07.030Z\t{rid5}\tERROR\tInvoke Error \t{{\"errorType\":\"ValidationError\",\"errorMessage\":\"quantity must be positive\",\"stack\":[\"ValidationError: quantity must be positive\"]}}",
    f"{ts('00:00:07',40)} END RequestId: {rid5}",
    f"{ts('00:00:07',40)} REPORT RequestId: {rid5}\tDuration: 35.10 ms\tBilled Duration: 36 ms\tMemory Size: 512 MB\tMax Memory Used: 93 MB\tStatus: error\tError Type: ValidationError",
]
gz_members(os.path.join(ROOT, "exportedlogs/aws/lambda/orders-handler/7a1b2c3d-task", stream, "000000.gz"),
           ["\n".join(orders) + "\n"])

# --- Lambda payments-handler: JSON format, Firehose subscription envelopes ---
pay_rid = "9c8b7a60-1111-4222-8333-444455556666"
pay_stream = "2024/01/01/[$LATEST]fedcba9876543210fedcba9876543210"
def ev(i, t_ms, msg):
    return {"id": str(37000000000000000000000000000000000000000000000000000000 + i), "timestamp": t_ms, "message": msg}
def platform(t, typ, rec):
    return json.dumps({"time": t, "type": typ, "record": rec}, separators=(",", ":"))
events = [
    ev(1, 1704067205004, platform("2024-01-01T00:00:05.004Z", "platform.start",
        {"requestId": pay_rid, "version": "$LATEST", "tracing": {"spanId": "54565fb41ac79632", "type": "X-Amzn-Trace-Id",
         "value": "Root=1-65920085-0000000000000000000000a3;Parent=0efbd19962d95b05;Sampled=1"}})),
    ev(2, 1704067205100, json.dumps({"timestamp": "2024-01-01T00:00:05.100Z", "level": "INFO", "requestId": pay_rid, "message": "charging card"}, separators=(",", ":"))),
    ev(3, 1704067208004, platform("2024-01-01T00:00:08.004Z", "platform.report",
        {"requestId": pay_rid, "metrics": {"durationMs": 3000.0, "billedDurationMs": 3000, "memorySizeMB": 256, "maxMemoryUsedMB": 80},
         "status": "timeout", "tracing": {"spanId": "54565fb41ac79632", "type": "X-Amzn-Trace-Id",
         "value": "Root=1-65920085-0000000000000000000000a3;Parent=0efbd19962d95b05;Sampled=1"}})),
]
env = {"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "/aws/lambda/payments-handler",
       "logStream": pay_stream, "subscriptionFilters": ["to-firehose"], "logEvents": events}
control = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
           "subscriptionFilters": [], "logEvents": [{"id": "", "timestamp": 1704067100000, "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}
gz_members(os.path.join(ROOT, "firehose/2024/01/01/00/logs-to-s3-1-2024-01-01-00-00-00-abcd"),
           [json.dumps(control, separators=(",", ":")), json.dumps(env, separators=(",", ":"))])

# --- RDS MySQL slow log (export) --------------------------------------------
my = [
    f"{ts('00:00:01',532)} # Time: 2024-01-01T00:00:01.532412Z\n# User@Host: app[app] @  [10.0.12.34]  Id:    42\n# Query_time: 0.400118  Lock_time: 0.000120 Rows_sent: 1  Rows_examined: 120000\nuse orders;\nSET timestamp=1704067201;\nSELECT * FROM orders WHERE id = 42 /*traceparent='00-659200818f1c6d2a4b3e5f6a7b8c9d01-7a3c2b1d0e9f8a7b-01'*/;",
    f"{ts('00:00:01',700)} # Time: 2024-01-01T00:00:01.700100Z\n# User@Host: app[app] @  [10.0.12.34]  Id:    42\n# Query_time: 0.150000  Lock_time: 0.000050 Rows_sent: 3  Rows_examined: 9000\nSET timestamp=1704067201;\nSELECT id, sku, qty FROM order_items WHERE order_id IN (42, 43, 44);",
    f"{ts('00:00:03',600)} # Time: 2024-01-01T00:00:03.600250Z\n# User@Host: app[app] @  [10.0.12.35]  Id:    43\n# Query_time: 0.080000  Lock_time: 0.000030 Rows_sent: 1  Rows_examined: 120000\nSET timestamp=1704067203;\nSELECT * FROM orders WHERE id = 43 /*traceparent='00-7d2a11c0a4b5c6d7e8f901234567890a-1111222233334444-01'*/;",
    f"{ts('00:00:10',0)} # Time: 2024-01-01T00:00:10.000000Z\n# User@Host: report[report] @  [10.0.99.1]  Id:    77\n# Query_time: 2.500000  Lock_time: 0.000000 Rows_sent: 10  Rows_examined: 3145718\nSET timestamp=1704067207;\nSELECT customer_id, SUM(total) FROM orders\n  GROUP BY customer_id ORDER BY 2 DESC LIMIT 10;",
]
header = f"{ts('00:00:00',0)} /rdsdbbin/mysql/bin/mysqld, Version: 8.0.35 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument"
gz_members(os.path.join(ROOT, "exportedlogs/aws/rds/instance/orders-mysql/slowquery/7a1b2c3d-task/orders-mysql/000000.gz"),
           [header + "\n" + "\n".join(my) + "\n"])

# --- RDS PostgreSQL log (export) --------------------------------------------
pg = [
    f"{ts('00:00:02',0)} 2024-01-01 00:00:02 UTC:10.0.12.36(51544):app@orders:[4242]:LOG:  duration: 25.412 ms  execute <unnamed>: SELECT * FROM stock WHERE sku = $1 /*request_id='{rid11}'*/",
    f"{ts('00:00:02',0)} 2024-01-01 00:00:02 UTC:10.0.12.36(51544):app@orders:[4242]:DETAIL:  parameters: $1 = 'SKU-1'",
    f"{ts('00:00:03',0)} 2024-01-01 00:00:03 UTC:10.0.12.36(51544):app@orders:[4242]:LOG:  duration: 60.100 ms  statement: UPDATE stock\n\tSET reserved = reserved + 1\n\tWHERE sku = 'SKU-9'",
    f"{ts('00:00:04',0)} 2024-01-01 00:00:04 UTC::@:[355]:LOG:  checkpoint starting: time",
    f"{ts('00:00:06',0)} 2024-01-01 00:00:06 UTC:10.0.12.36(51560):app@orders:[4250]:LOG:  connection authorized: user=app database=orders",
]
gz_members(os.path.join(ROOT, "exportedlogs/aws/rds/instance/orders-pg/postgresql/7a1b2c3d-task/orders-pg.0/000000.gz"),
           ["\n".join(pg) + "\n"])
print("wrote", ROOT)
