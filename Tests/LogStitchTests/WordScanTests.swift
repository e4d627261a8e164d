import Testing
@testable import LogStitch

/// The eight-bytes-at-a-time checks must agree with the byte-by-byte rule
/// for every byte value at every position, including bytes ≥ 0x80 next to
/// the ones looked for (where borrows between lanes could mislead).
@Suite struct WordScanTests {
    func jsonNeedsEscape(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F }
    func csvNeedsQuotes(_ b: UInt8) -> Bool { b == 0x2C || b == 0x22 || b == 0x0D || b == 0x0A }

    @Test func agreesWithTheByteRuleEverywhere() {
        var disagreements = 0
        for length in [1, 7, 8, 9, 16, 19] {
            for position in 0..<length {
                for value in 0...255 {
                    for filler: UInt8 in [0x41, 0xFF, 0x80, 0x21] {
                        var bytes = [UInt8](repeating: filler, count: length)
                        bytes[position] = UInt8(value)
                        let expectJSON = !bytes.contains(where: jsonNeedsEscape)
                        let expectCSV = !bytes.contains(where: csvNeedsQuotes)
                        bytes.withUnsafeBufferPointer { buf in
                            if JSONWriter.needsNoEscaping(buf) != expectJSON { disagreements += 1 }
                            if CSVWriter.plain(buf) != expectCSV { disagreements += 1 }
                        }
                    }
                }
            }
        }
        #expect(disagreements == 0)
        #expect([UInt8]().withUnsafeBufferPointer { JSONWriter.needsNoEscaping($0) && CSVWriter.plain($0) })
    }
}
