/// report.html: one self-contained page (CSS, a few lines of script and SVG
/// charts inline; nothing fetched), written in every run. It holds
/// summaries and the slowest traces only, so it stays under `maxBytes`
/// whatever the input's size: long tables are cut at `maxRows` (the CSV
/// reports have every row).
public struct HTMLReport {
    public static let maxBytes = 5 * 1024 * 1024
    static let maxRows = 200
    /// Rows drawn per waterfall (a trace of thousands of statements is
    /// `logstitch show`'s to print whole), and characters per label.
    static let maxWaterfallRows = 100
    static let maxLabel = 200

    let summary: RunSummary
    let totals: ReportAccumulator
    let counts: CorrelationCounts
    let slowest: SlowestTraces

    init(summary: RunSummary, totals: ReportAccumulator, counts: CorrelationCounts, slowest: SlowestTraces) {
        self.summary = summary
        self.totals = totals
        self.counts = counts
        self.slowest = slowest
    }

    public func bytes() -> [UInt8] {
        let traces = slowest.traces.map { t -> TraceWaterfall in
            var skipped = 0
            let docs = t.documents.withUnsafeBytes { XRayDocumentReader.entities(ndjson: $0, skipped: &skipped) }
            return TraceWaterfall(documents: docs)
        }
        // The waterfalls are the one part whose size follows the traces';
        // should the page still pass the limit, the last ones go.
        var shown = traces.count
        while true {
            let page = html(Array(traces.prefix(shown)))
            if page.utf8.count <= Self.maxBytes || shown == 0 { return Array(page.utf8) }
            shown /= 2
        }
    }

    func html(_ traces: [TraceWaterfall]) -> String {
        let linked = Set(traces.map(\.traceId))
        var s = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>logstitch report</title>
            <style>\(Self.css)</style></head><body>
            <header><h1>logstitch report</h1><p class="sub">\(HTML.escape(rangeText))</p>
            <nav><a href="#run">Run</a><a href="#over-time">Over time</a><a href="#routes">Routes</a><a href="#functions">Functions</a><a href="#queries">Query classes</a><a href="#slowest">Slowest traces</a></nav></header>
            <main>
            """
        s += runSection()
        s += overviewCards()
        s += timeSection()
        s += routesSection(traces)
        s += functionsSection()
        s += queriesSection(linked)
        s += slowestSection(traces)
        s +=
            "</main><footer>logstitch \(ConvertJob.version). Percentiles are exact nearest-rank values over all requests (or invocations, or statements), not estimates.</footer>"
        s += "<script>\(Self.script)</script></body></html>\n"
        return s
    }

    // MARK: sections

    var rangeText: String {
        guard let r = totals.timeline.range else { return "no timed records" }
        return Timestamp.formatISO8601Millis(r.first) + " – " + Timestamp.formatISO8601Millis(r.last)
            + " (UTC; first and last start)"
    }

    func runSection() -> String {
        let compressed = summary.files.reduce(Int64(0)) { $0 + $1.compressedBytes }
        let uncompressed = summary.files.reduce(Int64(0)) { $0 + $1.uncompressedBytes }
        var s = "<section id=\"run\"><h2>Run</h2><table class=\"facts\">"
        func fact(_ k: String, _ v: String, _ cls: String = "") {
            s += "<tr><th>\(HTML.escape(k))</th><td class=\"\(cls)\">\(HTML.escape(v))</td></tr>"
        }
        fact("Time range", rangeText)
        fact(
            "Files", "\(summary.files.count) (\(Self.bytes(compressed)) read, \(Self.bytes(uncompressed)) uncompressed)"
        )
        fact("Records seen", Self.count(summary.totalSeen))
        let parsed = SourceKind.allCases.map { k in
            "\(k.name) \(Self.count(summary.files.reduce(0) { $0 + $1.parsed[k.rawValue] }))"
        }
        fact("Parsed", Self.count(summary.totalParsed) + " (" + parsed.joined(separator: ", ") + ")")
        fact("Ignored (known noise)", Self.count(summary.totalIgnored))
        fact("Rejected", Self.count(summary.totalRejected), summary.totalRejected > 0 ? "bad" : "")
        fact("Damaged files", String(summary.filesWithErrors), summary.filesWithErrors > 0 ? "bad" : "")
        s += "</table>"
        let damaged = summary.files.filter { $0.fileError != nil }
        if !damaged.isEmpty {
            s += "<h3>Damaged files</h3><table><tr><th>File</th><th>Problem</th><th>Records read</th></tr>"
            for f in damaged.prefix(Self.maxRows) {
                s +=
                    "<tr><td class=\"mono\">\(HTML.escape(f.path))</td><td>\(HTML.escape(f.fileError ?? ""))</td><td class=\"num\">\(f.recordsSeen)</td></tr>"
            }
            s += "</table>"
            if damaged.count > Self.maxRows {
                s += "<p class=\"note\">\(damaged.count - Self.maxRows) more in summary.json.</p>"
            }
        }
        if summary.totalRejected > 0 {
            s += "<p class=\"note\">Every rejected record is listed in rejects.csv with its reason.</p>"
        }
        return s + "</section>"
    }

    func overviewCards() -> String {
        let requests = totals.routes.values.reduce(0) { $0 + $1.requests }
        let errors = totals.routes.values.reduce(0) { $0 + $1.errors4xx + $1.faults5xx }
        let faults = totals.routes.values.reduce(0) { $0 + $1.faults5xx }
        let throttles = totals.routes.values.reduce(0) { $0 + $1.throttles }
        let invocations = totals.functions.values.reduce(0) { $0 + $1.invocations }
        let cold = totals.functions.values.reduce(0) { $0 + $1.coldStarts }
        func card(_ value: String, _ label: String, _ cls: String = "") -> String {
            "<div class=\"card \(cls)\"><div class=\"value\">\(HTML.escape(value))</div><div class=\"label\">\(HTML.escape(label))</div></div>"
        }
        var s = "<section id=\"overview\" class=\"cards\">"
        s += card(Self.count(requests), "requests")
        s += card(
            Self.percent(errors, requests), "errors (\(Self.count(errors)): 4xx and 5xx; \(Self.count(faults)) 5xx)",
            errors > 0 ? "warn" : "")
        s += card(Self.count(throttles), "throttled (429)", throttles > 0 ? "warn" : "")
        s += card(Self.count(invocations), "Lambda invocations")
        s += card(Self.percent(cold, invocations), "cold starts (\(Self.count(cold)))")
        s += card(
            Self.count(counts.queries),
            "statements (\(Self.count(counts.queries - counts.queriesUnattributed)) attributed)")
        return s + "</section>"
    }

    func timeSection() -> String {
        let (stepMinutes, steps) = totals.timeline.steps(points: 240)
        let starts = steps.map(\.start)
        let step = stepMinutes * Timeline.minuteMicros
        let per = stepMinutes == 1 ? "per minute" : "per \(stepMinutes) minutes"
        var s =
            "<section id=\"over-time\"><h2>Over time</h2><p class=\"note\">Steps of \(stepMinutes) minute\(stepMinutes == 1 ? "" : "s"), UTC, by start time.</p>"
        s += "<h3>Requests \(per)</h3>"
        s += SVGChart.overTime(
            starts, step: step,
            [
                .init(name: "requests", color: "#4e79a7", values: steps.map { Double($0.1.requests) }, bars: true),
                .init(name: "errors", color: "#e15759", values: steps.map { Double($0.1.errors) }, bars: true),
            ], unit: "requests")
        s += "<h3>Latency (ms): p50 and p99 of the requests that started in each step</h3>"
        func ms(_ d: ExactDistribution, _ p: Int) -> Double? { d.percentiles([p])[0].map { Double($0) / 1000 } }
        s += SVGChart.overTime(
            starts, step: step,
            [
                .init(name: "p50", color: "#59a14f", values: steps.map { ms($0.1.latency, 50) }),
                .init(name: "p99", color: "#f28e2b", values: steps.map { ms($0.1.latency, 99) }),
            ], unit: "ms")
        s += "<h3>Cold starts \(per), and their init time (ms)</h3>"
        s += SVGChart.overTime(
            starts, step: step,
            [.init(name: "cold starts", color: "#76b7b2", values: steps.map { Double($0.1.coldStarts) }, bars: true)],
            unit: "cold starts")
        s += SVGChart.overTime(
            starts, step: step,
            [
                .init(name: "init p50", color: "#b07aa1", values: steps.map { ms($0.1.initDuration, 50) }),
                .init(name: "init max", color: "#9c755f", values: steps.map { ms($0.1.initDuration, 100) }),
            ], unit: "ms")
        return s + "</section>"
    }

    func routesSection(_ traces: [TraceWaterfall]) -> String {
        // The slowest shown trace of each route, to open from its row.
        var example: [String: String] = [:]
        for t in traces {
            guard let root = t.rows.first?.entity, root.role == .apiGateway else { continue }
            let key = [root["aws.api_gateway.stage"] ?? "", root["http.request.method"] ?? "", t.route ?? ""]
                .joined(separator: " ")
            if example[key] == nil { example[key] = t.traceId }
        }
        let keys = totals.routes.keys.sorted { a, b in
            let x = totals.routes[a]!.requests, y = totals.routes[b]!.requests
            return x != y ? x > y : ReportAccumulator.RouteKey.precedes(a, b)
        }
        var s =
            "<section id=\"routes\"><h2>Routes</h2><table class=\"sortable\"><thead><tr><th>Stage</th><th>Method</th><th>Route</th><th class=\"num\">Requests</th><th class=\"num\">4xx</th><th class=\"num\">5xx</th><th class=\"num\">429</th><th class=\"num\">p50 ms</th><th class=\"num\">p90 ms</th><th class=\"num\">p95 ms</th><th class=\"num\">p99 ms</th><th class=\"num\">max ms</th><th>Latency histogram</th><th>Slowest trace</th></tr></thead><tbody>"
        for key in keys.prefix(Self.maxRows) {
            let r = totals.routes[key]!
            let p = r.latency.percentiles([50, 90, 95, 99]) + [r.latency.max]
            let link =
                example[[key.stage, key.method, key.route].joined(separator: " ")].map {
                    "<a href=\"#trace-\($0)\">\(HTML.escape(String($0.suffix(8))))</a>"
                } ?? ""
            s +=
                "<tr><td>\(HTML.escape(key.stage))</td><td>\(HTML.escape(key.method))</td><td class=\"mono\">\(HTML.escape(key.route))</td>"
            s +=
                "<td class=\"num\">\(r.requests)</td><td class=\"num\">\(r.errors4xx)</td><td class=\"num\">\(r.faults5xx)</td><td class=\"num\">\(r.throttles)</td>"
            s += Self.msCells(p)
            s += "<td>\(SVGChart.histogram(r.latency))</td><td>\(link)</td></tr>"
        }
        return s + Self.tableEnd(count: keys.count, more: "routes in routes.csv", empty: "No API Gateway requests.")
    }

    func functionsSection() -> String {
        let names = totals.functions.keys.sorted { a, b in
            let x = totals.functions[a]!.invocations, y = totals.functions[b]!.invocations
            return x != y ? x > y : a < b
        }
        var s =
            "<section id=\"functions\"><h2>Functions</h2><table class=\"sortable\"><thead><tr><th>Function</th><th class=\"num\">Invocations</th><th class=\"num\">Cold starts</th><th class=\"num\">Cold %</th><th class=\"num\">Errors</th><th class=\"num\">Timeouts</th><th class=\"num\">p50 ms</th><th class=\"num\">p95 ms</th><th class=\"num\">p99 ms</th><th class=\"num\">max ms</th><th class=\"num\">Init p50 ms</th><th class=\"num\">Init max ms</th><th class=\"num\">Memory MB</th><th class=\"num\">Max used MB</th></tr></thead><tbody>"
        for name in names.prefix(Self.maxRows) {
            let f = totals.functions[name]!
            let d = f.duration.percentiles([50, 95, 99]) + [f.duration.max]
            let i = f.initDuration.percentiles([50]) + [f.initDuration.max]
            s +=
                "<tr><td class=\"mono\">\(HTML.escape(name))</td><td class=\"num\">\(f.invocations)</td><td class=\"num\">\(f.coldStarts)</td>"
            s +=
                "<td class=\"num\">\(Self.percent(f.coldStarts, f.invocations))</td><td class=\"num\">\(f.errors)</td><td class=\"num\">\(f.timeouts)</td>"
            s += Self.msCells(d + i)
            s +=
                "<td class=\"num\">\(f.memoryMB.map(String.init) ?? "")</td><td class=\"num\">\(f.maxMemoryUsedMB.map(String.init) ?? "")</td></tr>"
        }
        return s
            + Self.tableEnd(count: names.count, more: "functions in functions.csv", empty: "No Lambda invocations.")
    }

    func queriesSection(_ linked: Set<String>) -> String {
        let keys = totals.queries.keys.sorted { a, b in
            let x = totals.queries[a]!.totalUs, y = totals.queries[b]!.totalUs
            return x != y ? x > y : ReportAccumulator.QueryKey.precedes(a, b)
        }
        var s =
            "<section id=\"queries\"><h2>Query classes</h2><p class=\"note\">By total time. A class is a statement fingerprint on one instance and database (queries.csv has every class).</p><table class=\"sortable\"><thead><tr><th>Fingerprint</th><th>Engine</th><th>Instance</th><th>Database</th><th class=\"num\">Count</th><th class=\"num\">Total ms</th><th class=\"num\">p50 ms</th><th class=\"num\">p95 ms</th><th class=\"num\">max ms</th><th class=\"num\">Attributed</th><th>Example trace</th></tr></thead><tbody>"
        for key in keys.prefix(Self.maxRows) {
            let c = totals.queries[key]!
            let p = c.duration.percentiles([50, 95]) + [c.duration.max]
            var example = ""
            if let t = c.example?.trace, !t.isEmpty {
                example =
                    linked.contains(t)
                    ? "<a href=\"#trace-\(t)\" class=\"mono nowrap\">\(HTML.escape(t))</a>"
                    : "<span class=\"mono\">\(HTML.escape(t))</span>"
            }
            s +=
                "<tr><td class=\"mono sql\" title=\"\(HTML.escape(key.fingerprintId))\">\(HTML.escape(Self.cut(c.fingerprint)))</td>"
            s +=
                "<td>\(HTML.escape(key.engine))</td><td>\(HTML.escape(key.instance))</td><td>\(HTML.escape(key.database))</td>"
            s += "<td class=\"num\">\(c.count)</td><td class=\"num\">\(ReportEmitter.ms(c.totalUs))</td>"
            s += Self.msCells(p)
            s += "<td class=\"num\">\(c.attributed)</td><td>\(example)</td></tr>"
        }
        return s + Self.tableEnd(count: keys.count, more: "classes in queries.csv", empty: "No slow-log statements.")
    }

    func slowestSection(_ traces: [TraceWaterfall]) -> String {
        var s = "<section id=\"slowest\"><h2>The \(traces.count) slowest traces</h2>"
        if traces.isEmpty { return s + "<p class=\"empty\">No traces with times.</p></section>" }
        s +=
            "<table><thead><tr><th class=\"num\">#</th><th>Trace</th><th>Request</th><th class=\"num\">Status</th><th class=\"num\">Duration ms</th><th>Why it was slow</th></tr></thead><tbody>"
        for (i, t) in traces.enumerated() {
            let why = t.reasons.map { "\($0.kind.rawValue): \(ReportEmitter.ms($0.durationUs)) ms" }.joined(
                separator: "; ")
            s +=
                "<tr><td class=\"num\">\(i + 1)</td><td><a class=\"mono\" href=\"#trace-\(t.traceId)\">\(HTML.escape(t.traceId))</a></td>"
            s += "<td>\(HTML.escape(t.title))</td><td class=\"num\">\(HTML.escape(t.status ?? ""))</td>"
            s += "<td class=\"num\">\(ReportEmitter.ms(t.durationUs))</td><td>\(HTML.escape(why))</td></tr>"
        }
        s += "</tbody></table>"
        for (i, t) in traces.enumerated() { s += waterfall(t, rank: i + 1) }
        return s + "</section>"
    }

    func waterfall(_ t: TraceWaterfall, rank: Int) -> String {
        let total = Double(max(1, t.durationUs))
        var s =
            "<article class=\"trace\" id=\"trace-\(t.traceId)\"><h3>#\(rank) \(HTML.escape(t.title)) <span class=\"mono\">\(t.traceId)</span> <span class=\"dur\">\(ReportEmitter.ms(t.durationUs)) ms</span></h3>"
        s += "<p class=\"start\">Started \(Timestamp.formatISO8601Millis(t.start)). "
        s += t.reasons.map {
            "<span class=\"why \($0.kind.rawValue.replacingOccurrences(of: " ", with: "-"))\">\(HTML.escape(Self.cut($0.detail))) — \(ReportEmitter.ms($0.durationUs)) ms (\(Self.percent(Int($0.durationUs), Int(t.durationUs))))</span>"
        }.joined(separator: " ")
        s += "</p><div class=\"waterfall\">"
        for row in t.rows.prefix(Self.maxWaterfallRows) {
            let e = row.entity
            let left = Double(e.start - t.start) / total * 100
            let width = max(0.15, Double(max(0, e.end - e.start)) / total * 100)
            var cls = Self.roleClass(e.role)
            if e.fault || e.error { cls += " failed" }
            if e.throttle { cls += " throttled" }
            let label = Self.cut(TraceWaterfall.label(e))
            let tip = "\(label)\n+\(ReportEmitter.ms(e.start - t.start)) ms, \(ReportEmitter.ms(e.durationMicros)) ms"
            s +=
                "<div class=\"row\" title=\"\(HTML.escape(tip))\"><div class=\"name\" style=\"padding-left:\(row.depth * 14 + 4)px\">\(HTML.escape(label))</div>"
            s +=
                "<div class=\"track\"><div class=\"bar \(cls)\" style=\"left:\(SVGChart.fmt(min(left, 99.85)))%;width:\(SVGChart.fmt(min(width, 100 - min(left, 99.85))))%\"></div></div>"
            s +=
                "<div class=\"time\">+\(ReportEmitter.ms(e.start - t.start)) · \(ReportEmitter.ms(e.durationMicros)) ms</div></div>"
        }
        if t.rows.count > Self.maxWaterfallRows {
            s +=
                "<p class=\"note\">\(t.rows.count - Self.maxWaterfallRows) more entities: see `logstitch show \(t.traceId)`.</p>"
        }
        return s + "</div></article>"
    }

    /// Closes a section's table: how many rows it left out, or that it had none.
    static func tableEnd(count: Int, more: String, empty: String) -> String {
        var s = "</tbody></table>"
        if count > maxRows { s += "<p class=\"note\">\(count - maxRows) more \(more).</p>" }
        if count == 0 { s += "<p class=\"empty\">\(empty)</p>" }
        return s + "</section>"
    }

    /// Milliseconds as right-aligned cells.
    static func msCells(_ values: [Int64?]) -> String {
        values.map { "<td class=\"num\">\(ReportEmitter.ms($0))</td>" }.joined()
    }

    static func roleClass(_ r: TraceEntity.Role) -> String {
        switch r {
        case .apiGateway: return "gateway"
        case .lambdaInvoke, .lambdaService: return "lambda"
        case .lambdaFunction, .invocation: return "function"
        case .initialization: return "init"
        case .overhead, .other: return "other"
        case .statement: return "sql"
        }
    }

    // MARK: formatting

    static func cut(_ s: String) -> String { s.count <= maxLabel ? s : String(s.prefix(maxLabel)) + "…" }

    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        guard whole > 0 else { return "–" }
        return ReportEmitter.decimal(Int64(part) * 100, divisor: Int64(whole), places: 1) + "%"
    }

    static func bytes(_ n: Int64) -> String {
        if n >= 1 << 30 { return ReportEmitter.decimal((n * 10) >> 30, divisor: 10, places: 1) + " GiB" }
        if n >= 1 << 20 { return ReportEmitter.decimal((n * 10) >> 20, divisor: 10, places: 1) + " MiB" }
        if n >= 1 << 10 { return ReportEmitter.decimal((n * 10) >> 10, divisor: 10, places: 1) + " KiB" }
        return "\(n) B"
    }

    static let css = """
        :root{--fg:#1d2330;--muted:#5b6478;--line:#dde1e8;--bg:#fff;--soft:#f5f7fa}
        *{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{padding:18px 28px 8px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:2}
        h1{margin:0;font-size:22px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
        .sub{margin:2px 0 8px;color:var(--muted)}nav a{margin-right:16px;color:#2b5fad;text-decoration:none}nav a:hover{text-decoration:underline}
        main{padding:0 28px 40px;max-width:1500px}footer{padding:16px 28px;color:var(--muted);border-top:1px solid var(--line)}
        table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
        th{background:var(--soft);font-weight:600}table.sortable th{cursor:pointer;user-select:none}table.sortable th:hover{background:#e8edf4}
        .num{text-align:right;font-variant-numeric:tabular-nums}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
        .sql{max-width:520px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.facts th{width:190px}
        .nowrap{white-space:nowrap}.bad{color:#b3261e;font-weight:600}.note,.empty{color:var(--muted)}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:18px}.card{border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:150px;background:var(--soft)}
        .card .value{font-size:22px;font-weight:650}.card .label{color:var(--muted);font-size:12px}.card.warn .value{color:#b3541e}
        svg.chart{width:100%;max-width:900px;height:auto;display:block}svg .grid{stroke:#e6e9ef}svg text{font-size:11px;fill:var(--muted)}
        svg .ylabel{text-anchor:end;dominant-baseline:middle}svg .xlabel{text-anchor:middle}svg .unit{text-anchor:middle}
        svg.hist rect{fill:#4e79a7}
        .trace{border:1px solid var(--line);border-radius:8px;padding:6px 12px 10px;margin:16px 0;scroll-margin-top:110px}.trace:target{box-shadow:0 0 0 3px #9ec1f0}
        .trace h3{margin:6px 0}.dur{color:#b3541e}.start{margin:2px 0 8px;color:var(--muted)}
        .why{display:inline-block;margin:2px 6px 2px 0;padding:1px 8px;border-radius:10px;background:#eef1f6;color:var(--fg)}
        .why.cold-start{background:#d8efee}.why.slow-statement,.why.statements{background:#fbe3c8}.why.throttle,.why.failure{background:#f8d3d0}.why.integration-latency,.why.gateway-only{background:#dfe7f6}
        .waterfall{font-size:12px}.row{display:grid;grid-template-columns:minmax(220px,34%) 1fr 150px;align-items:center;min-height:20px;border-bottom:1px solid #f0f2f5}
        .row .name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.track{position:relative;height:18px}
        .bar{position:absolute;top:3px;height:12px;border-radius:2px;min-width:2px}.time{color:var(--muted);font-size:11px;text-align:right;padding-left:8px;font-variant-numeric:tabular-nums;white-space:nowrap}.track{margin-right:3px}
        .bar.gateway{background:#4e79a7}.bar.lambda{background:#f28e2b}.bar.function{background:#edc948}.bar.init{background:#76b7b2}.bar.sql{background:#e15759}.bar.other{background:#bab0ac}
        .bar.failed{outline:2px solid #b3261e}.bar.throttled{background:repeating-linear-gradient(45deg,#e15759,#e15759 4px,#f5b7b1 4px,#f5b7b1 8px)}
        """

    /// Click a column heading to sort the table by it.
    static let script = """
        document.querySelectorAll('table.sortable').forEach(function (table) {
          table.querySelectorAll('th').forEach(function (th, col) {
            th.addEventListener('click', function () {
              var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
              var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
              rows.sort(function (a, b) {
                var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
                if (!isNaN(nx) && !isNaN(ny)) return (nx - ny) * dir;
                return x.localeCompare(y) * dir;
              });
              rows.forEach(function (r) { body.appendChild(r); });
            });
          });
        });
        """
}
