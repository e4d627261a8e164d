import Foundation

/// Correlates the spilled records one block of time at a time. A block owns
/// half an hour of event time (the last ones a quarter of an hour, see
/// `blocks`); it is read with a margin on each side (2 to 20 minutes, see
/// `marginBuckets`), joined, and only what it owns is written
/// (requests and lone invocations by start time, statements by end time).
/// The margin covers every partner: an invocation starts within moments of
/// its request and lasts no longer than the longest duration the logs
/// report (at most Lambda's 15-minute limit). Memory follows the busiest
/// block plus margins of event time (per worker), whatever the input's size
/// or order. Blocks are correlated on all cores and written strictly in
/// time order.
struct WindowedCorrelation {
    let store: SpillStore
    let files: [InputFile]
    let options: ConvertOptions
    /// Half an hour of buckets. Smaller blocks join in less memory and in
    /// caches that hold more of it, though their margins are a larger share
    /// (PERFORMANCE.md, "block size").
    static let blockBuckets: Int64 = 1_800_000_000 / SpillStore.bucketMicros
    /// Partners lie within the longest span any record declares, plus a
    /// minute of slack for clocks and for what records do not declare (the
    /// moment between an INIT and its START, say), rounded up to whole
    /// buckets: one 2-minute bucket for most API workloads, at most the
    /// 20 minutes that cover Lambda's 15-minute limit. Every bucket of
    /// margin costs a fifteenth more work (it is read and joined by both
    /// blocks it borders; a worker's second block of a pair reads the
    /// shared ones from its cache), and smaller buckets cost more in
    /// spilling and the sender pass: 2 minutes is where the two meet
    /// (PERFORMANCE.md, "bucket size").
    var marginBuckets: Int64 { Self.marginBuckets(longestSpan: store.longestSpanMicros) }

    static func marginBuckets(longestSpan: Int64) -> Int64 {
        let needed = min(longestSpan, SpillStore.maxSpanMicros) + 60 * 1_000_000
        let most = (SpillStore.maxSpanMicros + SpillStore.bucketMicros - 1) / SpillStore.bucketMicros
        return min(most, max(1, (needed + SpillStore.bucketMicros - 1) / SpillStore.bucketMicros))
    }

    struct Totals {
        var accumulator = ReportAccumulator()
        var counts = CorrelationCounts()
        var slowest = SlowestTraces()
    }

    /// The run's outputs that are written block by block, in time order.
    struct Streams {
        var segments: StagedFile
        var requests: StagedFile
        /// With `--otlp`.
        var otlp: StagedFile?
    }

    /// What one block contributes: its pieces of text as they are made, and
    /// at its end its totals (or, with `--compress`, its compressed text).
    /// What a block makes before every earlier block is written waits here.
    struct BlockResult {
        var segments: [ByteSink] = []
        var rows: [ByteSink] = []
        var otlp: [ByteSink] = []
        /// With `--compress`: the segments, rows and OTLP lines, compressed by the worker.
        var compressed: (segments: DeflatedPart, rows: DeflatedPart, otlp: DeflatedPart)?
        var totals = Totals()
        /// Whether the block has handed over all it makes.
        var finished = false

        /// Nothing to write and not finished: nothing for the writer to do yet.
        var isEmpty: Bool { segments.isEmpty && rows.isEmpty && otlp.isEmpty && !finished }
    }

    /// Keeps decoded buckets while consecutive blocks need them.
    struct WindowCache {
        let store: SpillStore
        var decoded: [Int64: ParsedFile] = [:]

        mutating func window(_ range: ClosedRange<Int64>) -> [ParsedFile] {
            for old in decoded.keys where !range.contains(old) { decoded[old] = nil }
            var parts: [ParsedFile] = []
            for b in range {
                if decoded[b] == nil { decoded[b] = store.read(bucket: b) }
                if let p = decoded[b], !(p.requests.isEmpty && p.lambdaEvents.isEmpty && p.queries.isEmpty) {
                    parts.append(p)
                }
            }
            return parts
        }
    }

    /// The blocks that hold data, in time order, each as the buckets it
    /// owns: `blockBuckets` each, but for the last `halvedBlocks`, which
    /// are cut in two. Workers take blocks as they come free, so the run
    /// ends when the last block does: with whole blocks to the end, one
    /// worker sat idle for up to a block's work while another finished;
    /// with halves, for up to half as long (PERFORMANCE.md, "halved blocks").
    /// Cutting every block would cost more than it saves: each block's
    /// margins are decoded and joined again by its neighbour. The cut does
    /// not depend on `--jobs`, so neither do the bytes of `--compress`
    /// outputs (each block's text is compressed on its own); the plain
    /// outputs do not depend on blocks at all (each writes what it owns, in
    /// time order).
    static func blocks(buckets: [Int64]) -> [ClosedRange<Int64>] {
        var whole: [ClosedRange<Int64>] = []
        for k in buckets {
            let b = (k >= 0 ? k / blockBuckets : (k - blockBuckets + 1) / blockBuckets) * blockBuckets
            if whole.last?.lowerBound != b { whole.append(b...(b + blockBuckets - 1)) }
        }
        let cut = max(0, whole.count - halvedBlocks)
        var blocks = Array(whole[..<cut])
        let half = (blockBuckets + 1) / 2
        for block in whole[cut...] {
            var from = block.lowerBound
            while from <= block.upperBound {
                let part = from...min(block.upperBound, from + half - 1)
                // Only parts that hold data (buckets are sorted).
                if Self.holdsData(part, buckets) { blocks.append(part) }
                from = part.upperBound + 1
            }
        }
        return blocks
    }

    /// Records a block may load (its own and its margins') before it is cut
    /// into smaller blocks, down to a bucket each. Joining holds a few
    /// hundred bytes per record (the request or event, its strings, and
    /// the indexes over them), and each worker holds one block; a normal
    /// day's half hours never come near it (PERFORMANCE.md, "record budget").
    static let recordBudget = 600_000

    /// `blocks(buckets:)`, each cut where its window (owned buckets and
    /// margins) would load more than `budget` records: greedily, from its
    /// start, a bucket at a time, never below one bucket. Counts depend on
    /// the input alone, so the cut does too.
    static func blocks(buckets: [Int64], records: (Int64) -> Int, margin: Int64, budget: Int = recordBudget)
        -> [ClosedRange<Int64>]
    {
        var out: [ClosedRange<Int64>] = []
        func load(_ r: ClosedRange<Int64>) -> Int {
            var n = 0
            for b in (r.lowerBound - margin)...(r.upperBound + margin) { n += records(b) }
            return n
        }
        for block in blocks(buckets: buckets) {
            guard load(block) > budget else {
                out.append(block)
                continue
            }
            var from = block.lowerBound
            while from <= block.upperBound {
                var to = from
                while to < block.upperBound, load(from...(to + 1)) <= budget { to += 1 }
                if holdsData(from...to, buckets) { out.append(from...to) }
                from = to + 1
            }
        }
        return out
    }

    /// Enough halves at the end for the workers of machines with up to
    /// eight cores or so to finish together.
    static let halvedBlocks = 4

    static func holdsData(_ range: ClosedRange<Int64>, _ sortedBuckets: [Int64]) -> Bool {
        guard let i = sortedBuckets.firstSortedIndex(where: { $0 >= range.lowerBound }) else { return false }
        return sortedBuckets[i] <= range.upperBound
    }

    func loaded(_ owned: ClosedRange<Int64>) -> ClosedRange<Int64> {
        (owned.lowerBound - marginBuckets)...(owned.upperBound + marginBuckets)
    }

    /// Hands out block indices to workers and writes blocks' output in block
    /// order: the pieces of the block next in line go to the files as they
    /// are made (its writer threads write them while the block is still
    /// being correlated); a later block's pieces wait until it is next. With
    /// `inFlight`, a worker waits before taking a block while that many are
    /// taken but not yet written, so blocks waiting for an earlier, slower
    /// one cannot pile up in memory.
    final class Coordinator: @unchecked Sendable {
        let lock = NSCondition()
        var next = 0
        var nextToWrite = 0
        var pending: [Int: BlockResult] = [:]
        var senders = SenderIndex(declared: [:])
        var totals = Totals()
        let count: Int
        let progress: Bool
        let inFlight: Int?
        let files: Streams?
        init(count: Int, progress: Bool = false, inFlight: Int? = nil, files: Streams? = nil) {
            self.count = count
            self.progress = progress
            self.inFlight = inFlight
            self.files = files
        }

        func take() -> Int? { take(pairsBefore: 0).map(\.lowerBound) }

        /// The next block, or the next two while both are before `pairsBefore`.
        func take(pairsBefore: Int) -> Range<Int>? {
            lock.lock()
            defer { lock.unlock() }
            if let limit = inFlight { while next < count && next - nextToWrite >= limit { lock.wait() } }
            guard next < count else { return nil }
            let n = next + 2 <= pairsBefore ? 2 : 1
            next += n
            return (next - n)..<next
        }

        /// Output buffers, given back here once written.
        let buffers = BufferPool()

        /// Whether a worker is writing now (the others leave their output in `pending`).
        var writing = false

        /// A full buffer of block `i`'s segments.
        func emit(_ i: Int, segments piece: ByteSink) { add(i) { $0.segments.append(piece) } }
        /// A full buffer of block `i`'s request rows.
        func emit(_ i: Int, rows piece: ByteSink) { add(i) { $0.rows.append(piece) } }
        /// A full buffer of block `i`'s OTLP lines.
        func emit(_ i: Int, otlp piece: ByteSink) { add(i) { $0.otlp.append(piece) } }

        /// Block `i`'s end: its totals and, with `--compress`, its compressed text.
        func finish(_ i: Int, _ r: consuming BlockResult) {
            let end = r
            add(i) { b in
                b.totals = end.totals
                b.compressed = end.compressed
                b.finished = true
            }
        }

        private func add(_ i: Int, _ change: (inout BlockResult) -> Void) {
            lock.lock()
            defer { lock.unlock() }
            change(&pending[i, default: BlockResult()])
            // One writer at a time, in block order, and not under the lock:
            // when the disk is slow, the other workers go on correlating.
            guard !writing else { return }
            writing = true
            defer { writing = false }
            while let head = pending[nextToWrite], !head.isEmpty {
                var ready = head
                if head.finished { pending[nextToWrite] = nil } else { pending[nextToWrite] = BlockResult() }
                lock.unlock()
                write(&ready)
                lock.lock()
                guard ready.finished else { continue }
                nextToWrite += 1
                lock.broadcast()
                if progress {
                    FileHandle.standardError.write(
                        "\rlogstitch: correlated \(nextToWrite)/\(count) blocks of time   ".data(using: .utf8)!)
                    if nextToWrite == count { FileHandle.standardError.write("\n".data(using: .utf8)!) }
                }
            }
        }

        /// Hands the text to the files' writer threads, which write it and
        /// give the buffers back; at a block's end, adds its totals.
        private func write(_ ready: inout BlockResult) {
            guard let files else { return }
            PhaseTimer.step("write") {
                if let parts = ready.compressed {
                    files.segments.write(parts.segments)
                    files.requests.write(parts.rows)
                    files.otlp?.write(parts.otlp)
                }
                files.segments.write(pieces: &ready.segments, returningTo: buffers)
                files.requests.write(pieces: &ready.rows, returningTo: buffers)
                if let otlp = files.otlp { otlp.write(pieces: &ready.otlp, returningTo: buffers) }
            }
            guard ready.finished else { return }
            PhaseTimer.step("merge") {
                totals.accumulator.merge(ready.totals.accumulator)
                totals.counts.merge(ready.totals.counts)
                totals.slowest.merge(ready.totals.slowest)
            }
        }

        func learned(_ s: SenderIndex) {
            lock.lock()
            senders.merge(s)
            lock.unlock()
        }
    }

    func run(_ streams: Streams) -> Totals {
        let counts = store.records
        let blocks = Self.blocks(buckets: store.buckets, records: { counts[$0] ?? 0 }, margin: marginBuckets)
        let workers = max(1, min(options.jobs, blocks.count))
        // Pass 1: which functions send commented statements to which instance,
        // over the whole input, so time attribution does not depend on blocks.
        let first = Coordinator(count: blocks.count)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = first.take() {
                let own = blocks[i]
                let buckets = loaded(own)
                first.learned(
                    SenderLearner.learn({ kind in buckets.flatMap { store.spilled(bucket: $0, kinds: [kind]) } }) {
                        own.contains(SpillStore.bucket($0))
                    })
            }
        }
        var senders = first.senders
        senders.declared = options.correlate.dbFunctions
        PhaseTimer.mark(
            "learn senders (margin \(marginBuckets * SpillStore.bucketMicros / 60_000_000) min, longest span \(store.longestSpanMicros / 1000) ms)"
        )
        // Pass 2: join, write what each block owns, accumulate the reports.
        streams.requests.write(CSVWriter(header: ReportEmitter.requestsHeader).bytes)
        let second = Coordinator(
            count: blocks.count, progress: options.progress, inFlight: 2 * workers, files: streams)
        let frozenSenders = senders
        let pairsBefore = blocks.firstIndex { $0.count < Self.blockBuckets } ?? blocks.count
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var cache = WindowCache(store: store)
            // Whole blocks go to a worker two at a time: the second reads
            // the buckets the two share (the margins) from the first's cache.
            while let run = second.take(pairsBefore: pairsBefore) {
                for i in run {
                    let window = PhaseTimer.step("decode window") { cache.window(loaded(blocks[i])) }
                    let result = block(
                        blocks[i], window, senders: frozenSenders, buffers: second.buffers,
                        segments: { second.emit(i, segments: $0) }, rows: { second.emit(i, rows: $0) },
                        otlp: { second.emit(i, otlp: $0) })
                    PhaseTimer.step("deliver+write") { second.finish(i, result) }
                }
            }
        }
        PhaseTimer.reportSteps()
        return second.totals
    }

    /// Correlates one block and writes what it owns: its pieces of text go
    /// to `segments` and `rows` as they fill (with `--compress`, they are
    /// kept and compressed at the end instead); returns the rest.
    func block(
        _ own: ClosedRange<Int64>, _ window: [ParsedFile], senders: SenderIndex, buffers: BufferPool,
        segments: @escaping (ByteSink) -> Void, rows: @escaping (ByteSink) -> Void,
        otlp: @escaping (ByteSink) -> Void
    ) -> BlockResult {
        let model = PhaseTimer.step("correlate") {
            Correlator(options: options.correlate).correlate(window, files: files, senders: senders)
        }
        let ownership = Ownership(buckets: own)
        var result = BlockResult()
        let compress = options.compress
        func segmentsPiece(_ piece: ByteSink) { if compress { result.segments.append(piece) } else { segments(piece) } }
        func rowsPiece(_ piece: ByteSink) { if compress { result.rows.append(piece) } else { rows(piece) } }
        func otlpPiece(_ piece: ByteSink) { if compress { result.otlp.append(piece) } else { otlp(piece) } }
        var views = TraceViews(model: model, otlp: options.otlp ? buffers : nil, full: otlpPiece)
        PhaseTimer.step("segments") {
            let aged = SegmentDocumentWriter(model: model, options: options.correlate).write(
                ownership, buffers: buffers, visit: { views.visit($0, request: $1, invocation: $2) }
            ) {
                segmentsPiece($0)
            }
            result.totals.counts.documentsTooOldForXRay += aged.tooOld
            result.totals.counts.documentsAheadOfXRay += aged.ahead
        }
        views.finish()
        result.totals.slowest = views.slowest
        // Rows are written into a small buffer of the writer's own and
        // moved into the pool's buffers as it fills (see `BufferPool.move`),
        // each handed on whole when full.
        var csv = CSVWriter(rowsOnly: (), sink: ByteSink(capacity: BufferPool.scratchBytes + 64 << 10))
        var piece = buffers.take()
        func moveRows(_ csv: inout CSVWriter) {
            BufferPool.move(csv.bytesWritten, into: &piece, fresh: buffers.take, full: rowsPiece)
            csv.removeAll()
        }
        PhaseTimer.step("requests rows") {
            ReportEmitter(model: model, options: options.correlate).appendRequestRows(
                to: &csv, ownership, pieceFull: moveRows)
        }
        moveRows(&csv)
        rowsPiece(piece)
        PhaseTimer.step("accumulate") {
            result.totals.accumulator.add(model, ownership)
            result.totals.counts.add(model, ownership, age: options.correlate.ageLimit)
        }
        if compress {
            // Here, on every core, rather than by the one worker writing at
            // a time; the files join the parts into one gzip member.
            PhaseTimer.step("compress") {
                result.compressed = (
                    GzipWriter.deflatedPart(result.segments), GzipWriter.deflatedPart(result.rows),
                    GzipWriter.deflatedPart(result.otlp)
                )
                buffers.give(&result.segments)
                buffers.give(&result.rows)
                buffers.give(&result.otlp)
            }
        }
        return result
    }
}
