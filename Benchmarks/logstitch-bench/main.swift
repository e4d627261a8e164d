import Foundation
import LogStitch

/// `logstitch-bench generate DIR --hours N --rate R`: writes a corpus.
/// `logstitch-bench stages DIR`: times each pipeline stage alone on it.
/// `logstitch-bench slowlogs DIR --hours N`: writes raw slow logs of each shape.
/// `logstitch-bench fuzz TESTDATA --inputs N`: mutation fuzzing (see Fuzz.swift).
let args = CommandLine.arguments
func option(_ name: String, _ fallback: Double) -> Double {
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Double(args[i + 1]) { return v }
    return fallback
}
if args.count == 2 && args[1] == "format" {
    // The staging stage's access-log template, for --apigw-format.
    print(CorpusGenerator.stagingFormat)
    exit(0)
}
guard args.count >= 3 else {
    print(
        "usage: logstitch-bench generate DIR [--hours N | --minutes M] [--rate REQ_PER_S] | stages DIR | slowlogs DIR [--hours N] | fuzz TESTDATA [--inputs N] [--converts M] [--seed S] | format"
    )
    exit(2)
}
switch args[1] {
case "generate":
    // --minutes M: M simulated minutes, a minute per unit (dense shapes).
    let minutes = Int(option("--minutes", 0))
    var g = CorpusGenerator(
        directory: args[2], hours: minutes > 0 ? minutes : Int(option("--hours", 24)),
        requestsPerSecond: option("--rate", 11))
    if minutes > 0 { g.unitSeconds = 60 }
    g.run(threads: ProcessInfo.processInfo.activeProcessorCount)
case "stages":
    StageBenchmarks(directory: args[2]).run()
case "fuzz":
    exit(
        Fuzz(
            root: args[2], inputs: Int(option("--inputs", 10_000)), converts: Int(option("--converts", 200)),
            seed: UInt64(option("--seed", 1))
        ).run())
case "slowlogs":
    SlowLogShapes(directory: args[2], hours: Int(option("--hours", 4))).run()
default:
    print("unknown command \(args[1])")
    exit(2)
}
