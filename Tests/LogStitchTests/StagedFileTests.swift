import Foundation
import Testing
@testable import LogStitch

/// Outputs are handed to the disk in steps and dropped from the page cache
/// a few steps behind: whatever the pieces' sizes, the file must hold
/// exactly what was written, in order.
@Suite struct StagedFileTests {
    @Test func fileHoldsEveryPieceAcrossWritebackAndRelease() throws {
        let path = makeTempDir() + "/out.ndjson"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        // 16 KiB steps: the release (four steps behind) runs hundreds of times here.
        let file = StagedFile(fd: fd, path: path, compress: false, writebackStep: 16 << 10)
        var expected: [UInt8] = []
        var g: UInt64 = 12345
        for round in 0..<300 {
            // Small pieces (buffered) and megabyte pieces (written straight through).
            let size = round % 50 == 49 ? (1 << 20) + 17 : Int(g % 3000) + 1
            g = g &* 6364136223846793005 &+ 1442695040888963407
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ round) }
            expected += piece
            file.write(piece)
        }
        try file.close()
        let written = try #require(FileManager.default.contents(atPath: path))
        #expect(written.count == expected.count)
        #expect([UInt8](written) == expected)
        #expect(file.written == Int64(expected.count))
    }

    /// Parts compressed apart (as the workers do) join into one gzip member
    /// with the right CRC and length: `gzip -t` checks both, and a reader
    /// that stops after the first member (older DuckDB) still sees it all.
    @Test func deflatedPartsJoinIntoOneGzipMember() throws {
        let dir = makeTempDir()
        let texts: [[[UInt8]]] = [
            [Array("header\n".utf8)],
            [],                                                     // a block with nothing to say
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
        let oneMember = "import zlib,sys; d=zlib.decompressobj(31); d.decompress(open(sys.argv[1],'rb').read()); print(d.eof and not d.unused_data)"
        #expect(CLI.shell("python3 -c \"\(oneMember)\" '\(path)'") == "True")
        // An empty file is a valid empty member.
        let emptyPath = dir + "/empty.gz"
        let empty = StagedFile(fd: open(emptyPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644), path: emptyPath, compress: false)
        empty.startJoining()
        try empty.close()
        #expect(CLI.shell("gzip -t '\(emptyPath)' && gzip -dc '\(emptyPath)' | wc -c") == "0")
    }
}
