/// Small inline SVG charts for report.html: no script, no network, drawn
/// once when the report is written.
enum SVGChart {
    struct Series {
        var name: String
        var color: String
        var values: [Double?]
        /// Drawn as bars rather than a line.
        var bars = false
    }

    static let width = 900.0, height = 220.0
    static let left = 64.0, right = 16.0, top = 16.0, bottom = 40.0

    /// A chart over time: `starts` are the steps' start times (µs), each
    /// series one value per step; `unit` labels the y axis.
    static func overTime(_ starts: [EpochMicros], step: EpochMicros, _ series: [Series], unit: String) -> String {
        let n = starts.count
        guard n > 0 else { return "<p class=\"empty\">No timed records.</p>" }
        let maxValue = max(1e-9, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 1)
        let top = niceCeiling(maxValue)
        let plotW = width - left - right, plotH = height - self.top - bottom
        func x(_ i: Int) -> Double { left + plotW * (Double(i) + 0.5) / Double(n) }
        func y(_ v: Double) -> Double { self.top + plotH * (1 - v / top) }
        var s = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        // Horizontal grid and y labels.
        for k in 0...4 {
            let v = top * Double(k) / 4
            let yy = fmt(y(v))
            s += "<line x1=\"\(Int(left))\" x2=\"\(Int(width - right))\" y1=\"\(yy)\" y2=\"\(yy)\" class=\"grid\"/>"
            s += "<text x=\"\(Int(left) - 6)\" y=\"\(yy)\" class=\"ylabel\">\(HTML.escape(number(v)))</text>"
        }
        s +=
            "<text x=\"12\" y=\"\(Int(self.top + plotH / 2))\" class=\"unit\" transform=\"rotate(-90 12 \(Int(self.top + plotH / 2)))\">\(HTML.escape(unit))</text>"
        // About six time labels.
        let every = max(1, n / 6)
        for i in stride(from: 0, to: n, by: every) {
            s +=
                "<text x=\"\(fmt(x(i)))\" y=\"\(Int(height - bottom + 16))\" class=\"xlabel\">\(HTML.escape(timeLabel(starts[i], step: step)))</text>"
        }
        let barW = min(36, max(1, plotW / Double(n) / Double(max(1, series.filter(\.bars).count)) * 0.8))
        var barIndex = 0
        for se in series {
            if se.bars {
                for (i, v) in se.values.enumerated() {
                    guard let v, v > 0 else { continue }
                    let groupW = barW * Double(series.filter(\.bars).count)
                    let bx = x(i) - groupW / 2 + barW * Double(barIndex)
                    s +=
                        "<rect x=\"\(fmt(bx))\" y=\"\(fmt(y(v)))\" width=\"\(fmt(barW))\" height=\"\(fmt(y(0) - y(v)))\" fill=\"\(se.color)\"><title>\(HTML.escape(timeLabel(starts[i], step: step) + " " + se.name + ": " + number(v)))</title></rect>"
                }
                barIndex += 1
            } else {
                var path = ""
                var open = false
                for (i, v) in se.values.enumerated() {
                    guard let v else {
                        open = false
                        continue
                    }
                    path += (open ? "L" : "M") + fmt(x(i)) + " " + fmt(y(v))
                    open = true
                }
                s += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(se.color)\" stroke-width=\"2\"/>"
                if n <= 120 {
                    for (i, v) in se.values.enumerated() {
                        guard let v else { continue }
                        s +=
                            "<circle cx=\"\(fmt(x(i)))\" cy=\"\(fmt(y(v)))\" r=\"2.5\" fill=\"\(se.color)\"><title>\(HTML.escape(timeLabel(starts[i], step: step) + " " + se.name + ": " + number(v)))</title></circle>"
                    }
                }
            }
        }
        // Legend.
        var lx = left
        for se in series {
            s += "<rect x=\"\(fmt(lx))\" y=\"\(Int(height - 14))\" width=\"10\" height=\"10\" fill=\"\(se.color)\"/>"
            s += "<text x=\"\(fmt(lx + 14))\" y=\"\(Int(height - 5))\" class=\"legend\">\(HTML.escape(se.name))</text>"
            lx += 24 + Double(se.name.count) * 7
        }
        return s + "</svg>"
    }

    /// A latency histogram in roughly logarithmic buckets, as a strip of bars.
    static let bucketEdgesMs: [Int64] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000]

    static func histogram(_ d: ExactDistribution) -> String {
        var counts = [Int](repeating: 0, count: bucketEdgesMs.count + 1)
        for (v, c) in d.counts {
            let ms = v / 1000
            let i = bucketEdgesMs.firstIndex { ms < $0 } ?? bucketEdgesMs.count
            counts[i] += c
        }
        let most = max(1, counts.max() ?? 1)
        let w = 8, h = 24
        var s =
            "<svg class=\"hist\" width=\"\(counts.count * w)\" height=\"\(h)\" viewBox=\"0 0 \(counts.count * w) \(h)\">"
        for (i, c) in counts.enumerated() {
            let bh = c == 0 ? 0 : max(1, h * c / most)
            let lo = i == 0 ? "0" : String(bucketEdgesMs[i - 1])
            let hi = i < bucketEdgesMs.count ? String(bucketEdgesMs[i]) : "∞"
            s +=
                "<rect x=\"\(i * w)\" y=\"\(h - bh)\" width=\"\(w - 1)\" height=\"\(bh)\"><title>\(lo)–\(hi) ms: \(c)</title></rect>"
        }
        return s + "</svg>"
    }

    /// The axis top: the least of 1, 2, 2.5, 5 or 10 times a power of ten at or above `v`.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var step = 1.0
        while step * 10 <= v { step *= 10 }
        while step > v { step /= 10 }
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where step * m >= v { return step * m }
        return step * 10
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        if abs(v) >= 100 { return String(Int64(v.rounded())) }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int64(r)) : String(r)
    }

    static func fmt(_ v: Double) -> String { String(Double(Int64((v * 10).rounded())) / 10) }

    /// `HH:MM` for steps under a day, else the date (UTC).
    static func timeLabel(_ t: EpochMicros, step: EpochMicros) -> String {
        let iso = Timestamp.formatISO8601Millis(t)  // 2024-01-01T00:00:00.000Z
        if step >= 86_400_000_000 { return String(iso.prefix(10)) }
        return String(iso.dropFirst(11).prefix(5))
    }
}

/// Text made safe for HTML.
enum HTML {
    static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return s
        }
        var out = ""
        out.reserveCapacity(s.utf8.count + 16)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
