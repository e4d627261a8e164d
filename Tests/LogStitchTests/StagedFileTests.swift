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
}
