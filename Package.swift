// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "logstitch",
    products: [
        .executable(name: "logstitch", targets: ["logstitch"]),
        .library(name: "LogStitch", targets: ["LogStitch"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // System zlib: headers from Debian's zlib1g-dev, no vendored C sources.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Optional ISA-L inflate, loaded at run time (falls back to zlib).
        .target(name: "CIsal", path: "Sources/CIsal", linkerSettings: [.linkedLibrary("dl")]),
        // Linux calls the Glibc module does not declare (header only).
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .target(
            name: "LogStitch",
            dependencies: ["CZlib", "CIsal", "CLinux"],
            path: "Sources/LogStitch",
            // Records are classes touched by one thread at a time; the runtime
            // exclusivity checks on their properties cost ~10% of a run.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "logstitch",
            dependencies: [
                "LogStitch",
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/logstitch"
        ),
        // `make bench`: corpus generator and per-stage timings.
        .executableTarget(
            name: "logstitch-bench",
            dependencies: ["LogStitch"],
            path: "Benchmarks/logstitch-bench"
        ),
        .testTarget(
            name: "LogStitchTests",
            dependencies: ["LogStitch"],
            path: "Tests/LogStitchTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
