/// Compressions logstitch recognises but does not read, by their magic
/// bytes (never by file name): each file of these is rejected once, with
/// the command that makes it readable.
struct OtherCompression {
    let name: String
    let tool: String

    init?(magic m: [UInt8]) {
        func starts(_ p: [UInt8]) -> Bool { m.count >= p.count && Array(m.prefix(p.count)) == p }
        if starts([0x42, 0x5A, 0x68]), m.count >= 4, m[3] >= 0x31, m[3] <= 0x39 {  // "BZh1"…"BZh9"
            (name, tool) = ("bzip2", "bunzip2 FILE")
        } else if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {  // xz
            (name, tool) = ("xz", "unxz FILE")
        } else if starts([0x28, 0xB5, 0x2F, 0xFD]) {  // zstd frame
            (name, tool) = ("zstd", "zstd -d FILE")
        } else if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {  // zip, zip of nothing
            (name, tool) = ("zip", "unzip FILE")
        } else if starts([0xFF, 0x06, 0x00, 0x00, 0x73, 0x4E, 0x61, 0x50, 0x70, 0x59]) {  // snappy framing: "sNaPpY"
            (name, tool) = ("Snappy", "python3 -m snappy -d FILE OUT")
        } else if starts([0x04, 0x22, 0x4D, 0x18]) {  // lz4 frame
            (name, tool) = ("lz4", "lz4 -d FILE")
        } else {
            return nil
        }
    }
}
