/// What a block's traces give the views as their documents are written:
/// the slowest ones kept for the report, and (with `--otlp`) every one
/// translated into an OTLP line.
struct TraceViews {
    let model: TraceModel
    /// The OTLP lines' buffers; nil without `--otlp`.
    let otlpBuffers: BufferPool?
    let full: (ByteSink) -> Void
    var slowest = SlowestTraces()
    /// Lines are written here and moved into `piece` (see `BufferPool.move`).
    var writer = JSONWriter(sink: ByteSink(capacity: BufferPool.scratchBytes + 128 << 10))
    var piece: ByteSink?
    /// Traces whose documents did not read back (never expected: counted for tests).
    private(set) var unreadable = 0

    init(model: TraceModel, otlp buffers: BufferPool?, full: @escaping (ByteSink) -> Void) {
        self.model = model
        self.otlpBuffers = buffers
        self.full = full
        piece = buffers?.take()
    }

    /// One trace's documents, just written.
    mutating func visit(_ documents: ByteView, request: Int, invocation: Int) {
        let duration: Int64
        if request >= 0 {
            duration = (model.requests[request].request.responseLatencyMs ?? 0) * 1000
        } else {
            duration = model.invocations[invocation].invocation.durationUs ?? 0
        }
        if slowest.admits(duration) {
            let trace = request >= 0 ? model.requests[request].traceId : model.invocations[invocation].traceId
            slowest.add(.init(durationUs: duration, traceId: trace.text, documents: Array(documents)))
        }
        guard let buffers = otlpBuffers else { return }
        var skipped = 0
        let docs = XRayDocumentReader.entities(ndjson: documents, skipped: &skipped)
        unreadable += skipped
        OTLPTraceWriter.write(trace: docs, to: &writer)
        if writer.count >= BufferPool.scratchBytes { move(buffers) }
    }

    private mutating func move(_ buffers: BufferPool) {
        guard var p = piece else { return }
        BufferPool.move(writer.out.bytes, into: &p, fresh: buffers.take, full: full)
        piece = p
        writer.removeLast(writer.count)
    }

    /// Hands on the last lines.
    mutating func finish() {
        guard let buffers = otlpBuffers else { return }
        move(buffers)
        if let p = piece, p.count > 0 {
            full(p)
        } else if let p = piece {
            var back = [p]
            buffers.give(&back)
        }
        piece = nil
    }
}
