import Foundation
import Testing

@testable import LogStitch

/// Outputs go past the page cache in aligned buffers, from a thread of
/// their own, with the file's unaligned end written through the page cache:
/// whatever the pieces' sizes, the file must hold exactly what was written,
/// in order, whether direct I/O was used or not.
@Suite struct StagedFileTests {
    /// Writes `sizes` pieces of patterned bytes, returns what the file holds and what it should.
    func roundTrip(sizes: [Int], direct: Bool, bufferBytes: Int) throws -> (
        written: [UInt8], expected: [UInt8], file: StagedFile
    ) {
        let path = makeTempDir() + "/out.ndjson"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let file = StagedFile(fd: fd, path: path, compress: false, direct: direct, bufferBytes: bufferBytes)
        var expected: [UInt8] = []
        for (round, size) in sizes.enumerated() {
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ round &* 7) }
            expected += piece
            file.write(piece)
        }
        try file.close()
        let written = try #require(FileManager.default.contents(atPath: path))
        return ([UInt8](written), expected, file)
    }

    static func pieceSizes(seed: UInt64, count: Int) -> [Int] {
        var g = seed
        return (0..<count).map { round in
            g = g &* 6364136223846793005 &+ 1442695040888963407
            // Mostly small pieces, now and then one larger than a buffer.
            return round % 50 == 49 ? (1 << 16) + 17 : Int((g >> 33) % 3000) + 1
        }
    }

    @Test(arguments: [true, false])
    func fileHoldsEveryPieceAcrossManyBuffers(direct: Bool) throws {
        // 8 KiB buffers: hundreds of them pass through the writer thread.
        let r = try roundTrip(sizes: Self.pieceSizes(seed: 12345, count: 300), direct: direct, bufferBytes: 8 << 10)
        #expect(r.written.count == r.expected.count)
        #expect(r.written == r.expected)
        #expect(r.file.written == Int64(r.expected.count))
        #expect(r.expected.count > 100 * (8 << 10))
    }

    /// Ends on a buffer's edge, on an alignment edge, one byte past one,
    /// and an empty file: the unaligned end is the part direct I/O refuses.
    @Test(arguments: [0, 1, 4095, 4096, 4097, 8192, 8193, 3 * 8192 + 100])
    func fileEndsExactlyWhereItsTextDoes(total: Int) throws {
        let r = try roundTrip(sizes: total == 0 ? [] : [total], direct: true, bufferBytes: 8 << 10)
        #expect(r.written == r.expected)
        #expect(r.written.count == total)
    }

    /// Blocks hand their pieces over whole: the writer thread writes them in
    /// order, between plain writes, and gives the buffers back to the pool.
    @Test func handedOverPiecesAreWrittenInOrderAndReturned() throws {
        let path = makeTempDir() + "/pieces"
        let file = StagedFile(
            fd: open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644), path: path, compress: false, bufferBytes: 8 << 10)
        let pool = BufferPool()
        var expected: [UInt8] = []
        for block in 0..<40 {
            let header = Array("block \(block)\n".utf8)
            file.write(header)
            expected += header
            var pieces: [ByteSink] = []
            for k in 0..<3 {
                let count = (block * 997 + k * 131) % 20_000
                let text = (0..<count).map { UInt8(truncatingIfNeeded: $0 ^ block) }
                let b = pool.take()
                text.withUnsafeBytes { b.append($0) }
                expected += text
                pieces.append(b)
            }
            file.write(pieces: &pieces, returningTo: pool)
            #expect(pieces.isEmpty)
        }
        try file.close()
        #expect(try #require(FileManager.default.contents(atPath: path)) == Data(expected))
        // Every buffer came back emptied, so later blocks reused them.
        #expect(pool.free.count >= 3)
        #expect(pool.free.allSatisfy { $0.count == 0 && $0.capacity >= BufferPool.capacity })
    }

    /// A write that fails (here: a file opened read-only) fails the close,
    /// and the writer thread does not hang on the buffers still queued.
    @Test func failedWriteFailsTheClose() throws {
        let path = makeTempDir() + "/readonly"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let file = StagedFile(fd: open(path, O_RDONLY), path: path, compress: false, bufferBytes: 8 << 10)
        for _ in 0..<20 { file.write([UInt8](repeating: 0x61, count: 5000)) }
        #expect(throws: OutputDirectory.Failure.self) { try file.close() }
    }

    /// A file dropped unfinished (a run that failed) lets its writer thread
    /// end, and the writer with it, instead of leaving a thread waiting.
    @Test func droppedFileStopsItsWriterThread() async throws {
        let path = makeTempDir() + "/dropped"
        weak var writer: DirectFileWriter?
        do {
            let file = StagedFile(
                fd: open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644), path: path, compress: false, bufferBytes: 8 << 10)
            writer = file.writer
            for _ in 0..<10 { file.write([UInt8](repeating: 0x62, count: 3000)) }
        }
        for _ in 0..<200 where writer != nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(writer == nil)
    }

    /// Parts compressed apart (as the workers do) join into one gzip member
    /// with the right CRC and length: `gzip -t` checks both, and a reader
    /// that stops after the first member (older DuckDB) still sees it all.
    @Test func deflatedPartsJoinIntoOneGzipMember() throws {
        let dir = makeTempDir()
        let texts: [[[UInt8]]] = [
            [Array("header\n".utf8)],
            [],  // a block with nothing to say
            [Array(repeating: 0x61, count: 300_000), Array("b\n".utf8)],
            (0..<50).map { Array("line \($0) of a block\n".utf8) },
        ]
        let path = dir + "/joined.gz"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let file = StagedFile(fd: fd, path: path, compress: false)
        file.startJoining()
        for pieces in texts { file.write(GzipWriter.deflatedPart(pieces)) }
        try file.close()
        let expected = texts.flatMap { $0.flatMap { $0 } }
        #expect(CLI.shell("gzip -t '\(path)' && echo valid") == "valid")
        write(dir + "/expected", expected)
        #expect(CLI.shell("gzip -dc '\(path)' | cmp -s - '\(dir)/expected' && echo same") == "same")
        // One member: inflating the first one uses up the whole file.
        let oneMember =
            "import zlib,sys; d=zlib.decompressobj(31); d.decompress(open(sys.argv[1],'rb').read()); print(d.eof and not d.unused_data)"
        #expect(CLI.shell("python3 -c \"\(oneMember)\" '\(path)'") == "True")
        // An empty file is a valid empty member.
        let emptyPath = dir + "/empty.gz"
        let empty = StagedFile(
            fd: open(emptyPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644), path: emptyPath, compress: false)
        empty.startJoining()
        try empty.close()
        #expect(CLI.shell("gzip -t '\(emptyPath)' && gzip -dc '\(emptyPath)' | wc -c") == "0")
    }
}
