import Foundation
import Testing

@testable import LogStitch

/// ISA-L inflates when installed; zlib is the reference. Whatever a machine
/// has, the bytes handed out and the damage reported must be the same.
@Suite struct InflaterTests {
    let dir = makeTempDir()

    struct Outcome: Equatable {
        var bytes: [UInt8]
        var error: InputError?
    }

    /// Inflates a file as the reader does: with a replay (fast engine when
    /// available) or without (zlib only).
    func inflate(_ gz: [UInt8], replayable: Bool, name: String = "t.gz") -> Outcome {
        let path = dir + "/" + name
        write(path, gz)
        let raw = try! FileDescriptorStream.open(path: path)
        let stream = PrefixedStream(prefix: try! PrefixedStream.sniff(raw, count: 2), upstream: raw)
        let replay: (() throws(InputError) -> ByteStream)? = replayable ? raw.reopenedFromStart : nil
        let inflater = try! GzipInflater(upstream: stream, layer: 1, replay: replay)
        var out: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 100_000, alignment: 16)
        defer { chunk.deallocate() }
        do {
            while true {
                let n = try inflater.read(into: chunk)
                if n == 0 { break }
                out.append(contentsOf: chunk[0..<n])
            }
        } catch {
            return Outcome(bytes: out, error: error)
        }
        return Outcome(bytes: out, error: nil)
    }

    /// Text that compresses like logs do (repeats with variation), `lines` long.
    func logText(_ lines: Int, seed: UInt64) -> [UInt8] {
        var g = seed
        var s = ""
        for i in 0..<lines {
            g = g &* 6364136223846793005 &+ 1442695040888963407
            s += "2024-01-01T00:00:\(i % 60)Z \(String(g >> 20, radix: 16)) REPORT Duration: \(g % 9000) ms line \(i)\n"
        }
        return Array(s.utf8)
    }

    /// A gzip member whose header carries a file name (FNAME), as `gzip file` writes.
    func withName(_ member: [UInt8], _ name: String) -> [UInt8] {
        var m = member
        m[3] |= 0x08
        m.insert(contentsOf: Array(name.utf8) + [0], at: 10)
        return m
    }

    func expectSame(_ gz: [UInt8], _ label: String) {
        let reference = inflate(gz, replayable: false, name: label + "-zlib.gz")
        let fast = inflate(gz, replayable: true, name: label + "-fast.gz")
        let sameBytes = fast.bytes == reference.bytes  // (not inside #expect: it would print megabytes)
        #expect(sameBytes, "\(label): \(fast.bytes.count) vs \(reference.bytes.count) bytes")
        #expect(
            fast.error == reference.error,
            "\(label): \(String(describing: fast.error)) vs \(String(describing: reference.error))")
    }

    @Test func healthyMembersWithNamesAndPadding() {
        let a = logText(20_000, seed: 1), b = logText(3, seed: 2), c = logText(9_000, seed: 3)
        let gz =
            withName(gzip(a), "a.log") + gzip(b) + withName(gzip(c), String(repeating: "n", count: 300)) + [0, 0, 0, 0]
        let fast = inflate(gz, replayable: true)
        #expect(fast.error == nil)
        let whole = fast.bytes == a + b + c
        #expect(whole)
        expectSame(gz, "healthy")
    }

    @Test func damageIsReportedAsZlibReportsIt() {
        let text = logText(30_000, seed: 7)
        let one = gzip(text)
        let two = gzip(logText(5_000, seed: 8)) + one
        var cases: [(String, [UInt8])] = []
        for cut in [11, 400, one.count / 3, one.count / 2, one.count - 9, one.count - 1] {
            cases.append(("cut\(cut)", Array(one.prefix(cut))))
        }
        for at in [12, 200, one.count / 4, one.count / 2, one.count - 20] {
            var bad = one
            bad[at] ^= 0x5A
            cases.append(("flip\(at)", bad))
        }
        var crc = one
        crc[crc.count - 8] ^= 0xFF
        cases.append(("crc", crc))
        var length = one
        length[length.count - 1] ^= 0x01
        cases.append(("isize", length))
        cases.append(("garbage", one + Array("not gzip at all\n".utf8)))
        cases.append(("second-cut", Array(two.prefix(two.count - 100))))
        for (label, gz) in cases { expectSame(gz, label) }
        // And the reference really saw damage in each.
        for (label, gz) in cases {
            #expect(inflate(gz, replayable: false, name: label + "-check.gz").error != nil, "\(label)")
        }
    }

    @Test(.enabled(if: IsalEngine.available, "ISA-L (Debian libisal2) is not installed here"))
    func fastEngineIsUsedWhenInstalled() throws {
        let path = dir + "/engine.gz"
        write(path, gzip(Array("x\n".utf8)))
        let raw = try FileDescriptorStream.open(path: path)
        let inflater = try GzipInflater(upstream: raw, layer: 1, replay: raw.reopenedFromStart)
        #expect(inflater.engine is IsalEngine)
        let zlibOnly = try GzipInflater(upstream: raw, layer: 1)
        #expect(zlibOnly.engine is ZlibEngine)
    }
}
