/// A trace drawn in the terminal, for `logstitch show`: a heading with the
/// trace's title, duration and why it was slow, then one line per segment
/// and subsegment, indented by parent, with its offset, its duration and a
/// bar placed in the trace's time, scaled to `width` columns.
public struct TextWaterfall {
    public let waterfall: TraceWaterfall
    public let width: Int

    public init(_ waterfall: TraceWaterfall, width: Int) {
        self.waterfall = waterfall
        self.width = max(60, min(width, 400))
    }

    public func render() -> String {
        let w = waterfall
        var out = "trace \(w.traceId)  \(w.title)  \(ReportEmitter.ms(w.durationUs)) ms"
        if let s = w.status { out += "  HTTP \(s)" }
        out += "\nstarted \(Timestamp.formatISO8601Millis(w.start))\n"
        for r in w.reasons {
            let share = HTMLReport.percent(Int(r.durationUs), Int(max(1, w.durationUs)))
            out += "why: \(r.detail) — \(ReportEmitter.ms(r.durationUs)) ms (\(share))\n"
        }
        out += "\n"
        let times = w.rows.map { row in
            "+" + ReportEmitter.ms(row.entity.start - w.start) + " " + ReportEmitter.ms(row.entity.durationMicros)
                + " ms"
        }
        let timeWidth = min(28, times.map(\.count).max() ?? 0)
        let labels = w.rows.map { row in String(repeating: "  ", count: row.depth) + marks(row.entity) }
        let labelWidth = min(max(20, (width - timeWidth - 4) * 2 / 5), labels.map(\.count).max() ?? 20)
        let barWidth = max(10, width - labelWidth - timeWidth - 4)
        let total = Double(max(1, w.durationUs))
        for (i, row) in w.rows.enumerated() {
            let e = row.entity
            var label = labels[i]
            if label.count > labelWidth { label = String(label.prefix(labelWidth - 1)) + "…" }
            label += String(repeating: " ", count: labelWidth - label.count)
            let from = Int((Double(e.start - w.start) / total * Double(barWidth)).rounded(.down))
            let to = Int((Double(e.end - w.start) / total * Double(barWidth)).rounded(.up))
            let a = min(max(0, from), barWidth - 1)
            let b = min(barWidth, max(a + 1, to))
            let fill: Character = e.fault || e.error || e.throttle ? "▓" : "█"
            let bar =
                String(repeating: " ", count: a) + String(repeating: fill, count: b - a)
                + String(repeating: " ", count: barWidth - b)
            let time = String(repeating: " ", count: max(0, timeWidth - times[i].count)) + times[i]
            out += label + " |" + bar + "| " + time + "\n"
        }
        // Statements in full: their names are cut to fit above.
        let statements = w.rows.map(\.entity).filter { $0.role == .statement }
        if !statements.isEmpty { out += "\nstatements, in the order above:\n" }
        for (i, e) in statements.enumerated() {
            let text = e["metadata.rds_slow_query.fingerprint"] ?? e["sql.sanitized_query"] ?? ""
            out += "\(i + 1). \(e.name) \(ReportEmitter.ms(e.durationMicros)) ms: \(text)\n"
        }
        return out
    }

    /// The label, led by what a reader must not miss (cold start, fault,
    /// error, throttle), so a long name cut to fit never hides it.
    func marks(_ e: TraceEntity) -> String {
        var flags: [String] = []
        if e.role == .lambdaFunction, e["annotations.cold_start"] == "true" { flags.append("cold start") }
        if e.fault { flags.append("fault") }
        if e.error && !e.throttle { flags.append("error") }
        if e.throttle { flags.append("throttled") }
        var label = TraceWaterfall.label(e)
        if label.hasSuffix(" (cold start)") { label.removeLast(" (cold start)".count) }
        return flags.isEmpty ? label : "[" + flags.joined(separator: ", ") + "] " + label
    }
}
