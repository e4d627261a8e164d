import Testing

@testable import LogStitch

@Suite struct LambdaParserTests {
    let parser = LambdaLogParser()

    func event(_ m: String, time: EpochMicros? = 1_000, inGroup: Bool = true) -> LambdaEvent? {
        if case .event(let e) = withBytes(m, { parser.parse($0, time: time, inLambdaGroup: inGroup) }) { return e }
        return nil
    }

    /// Recognised as a Lambda line that says nothing about an invocation.
    func isAppOutput(_ m: String, inGroup: Bool = true) -> Bool {
        if case .appOutput = withBytes(m, { parser.parse($0, time: nil, inLambdaGroup: inGroup) }) { return true }
        return false
    }

    @Test func reportWithXRayPartAndColdStart() throws {
        let e = try #require(
            event(
                "REPORT RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tDuration: 128.83 ms\tBilled Duration: 129 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\t\nXRAY TraceId: 1-65920080-8f1c6d2a4b3e5f6a7b8c9d0e\tSegmentId: 3d752a1b1bbe37e0\tSampled: true\t"
            ))
        #expect(e.kind == .report)
        #expect(e.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b")
        #expect(e.durationUs == 128_830)
        #expect(e.billedDurationUs == 129_000)
        #expect(e.memorySizeMB == 128)
        #expect(e.maxMemoryUsedMB == 74)
        #expect(e.initDurationUs == 166_620)
        #expect(e.traceId?.text == "1-65920080-8f1c6d2a4b3e5f6a7b8c9d0e")
        #expect(e.segmentId == 0x3d75_2a1b_1bbe_37e0)
        #expect(e.sampled == true)
        #expect(e.status == nil)
    }

    @Test func reportWithoutXRayAndWithStatusFieldsInAnyOrder() throws {
        let t = try #require(
            event(
                "REPORT RequestId: 6960f94b-add0-473c-ab1a-f854a3f92817\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 35 MB\tStatus: timeout"
            ))
        #expect(t.status == .timeout)
        #expect(t.traceId == nil)
        let e = try #require(
            event(
                "REPORT RequestId: 68038378-e817-489b-97dc-1709db3d7631\tStatus: error\tError Type: Runtime.OutOfMemory\tDuration: 8948.73 ms\tMemory Size: 2048 MB\tMax Memory Used: 2048 MB\tInit Duration: 495.04 ms"
            ))
        #expect(e.status == .error)
        #expect(e.errorType == "Runtime.OutOfMemory")
        #expect(e.billedDurationUs == nil)
        #expect(e.durationUs == 8_948_730)
    }

    @Test func snapStartRestore() throws {
        let e = try #require(
            event(
                "REPORT RequestId: 11111111-2222-3333-4444-555555555555\tDuration: 45.10 ms\tBilled Duration: 46 ms\tMemory Size: 512 MB\tMax Memory Used: 120 MB\tRestore Duration: 312.55 ms\tBilled Restore Duration: 100 ms"
            ))
        #expect(e.restoreDurationUs == 312_550)
        #expect(e.billedRestoreDurationUs == 100_000)
        #expect(e.initDurationUs == nil)
        #expect(event("RESTORE_START Runtime Version: java:21.v20\tRuntime Version ARN: arn")?.kind == .restoreStart)
        #expect(event("RESTORE_REPORT Restore Duration: 312.55 ms")?.restoreDurationUs == 312_550)
        let initReport = try #require(event("INIT_REPORT Init Duration: 412.11 ms\tPhase: init\tStatus: timeout"))
        #expect(initReport.initDurationUs == 412_110)
        #expect(initReport.status == .timeout)
    }

    @Test func startEndAndTimeouts() throws {
        let s = try #require(event("START RequestId: 3F2B8C1E-5D4A-4E6F-9A0B-1C2D3E4F5A6B Version: $LATEST"))
        #expect(s.kind == .start)
        #expect(s.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b")
        #expect(s.version == "$LATEST")
        let end = try #require(
            event("END RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b Task timed out after 300.00 seconds"))
        #expect(end.status == .timeout)
        #expect(end.errorMessage == "Task timed out after 300.00 seconds")
        let t = try #require(
            event(
                "2019-09-18T00:02:46.542Z f2704689-7aa3-4af3-ac88-857c01c4bd45 Task timed out after 5.01 seconds",
                time: nil))
        #expect(t.kind == .timeout)
        #expect(t.requestId == "f2704689-7aa3-4af3-ac88-857c01c4bd45")
        #expect(t.time == 1_568_764_966_542_000)
        let exit = try #require(
            event(
                "RequestId: 3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b Error: Runtime exited with error: signal: killed\nRuntime.ExitError"
            ))
        #expect(exit.kind == .error)
        #expect(exit.errorType == "Runtime.ExitError")
        #expect(exit.errorMessage == "Runtime exited with error: signal: killed")
    }

    @Test func runtimeAppLinePrefixes() throws {
        // Node.js and Python lines: recognised (outside a Lambda group too), not kept.
        #expect(
            isAppOutput(
                "2024-01-01T00:00:00.120Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tINFO\tfetching order 42",
                inGroup: false))
        #expect(
            isAppOutput(
                "[INFO]\t2024-01-01T00:00:00.120Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tfetching order 42",
                inGroup: false))
        // An ERROR line whose JSON carries an error type is an error of the invocation.
        let failed = try #require(
            event(
                "2024-01-01T00:00:00.120Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tERROR\tInvoke Error \t{\"errorType\":\"TypeError\",\"errorMessage\":\"x is undefined\"}",
                time: nil))
        #expect(failed.kind == .error)
        #expect(failed.requestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b")
        #expect(failed.time == 1_704_067_200_120_000)
        #expect(failed.errorType == "TypeError")
        #expect(failed.errorMessage == "x is undefined")
        #expect(
            isAppOutput("2024-01-01T00:00:00.120Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tERROR\tplain text, no JSON"))
        #expect(isAppOutput("2024-01-01T00:00:00.121Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tinfo\tfetching order 42"))
        #expect(isAppOutput("2024-01-01T00:00:00.121Z\tundefined\tINFO\tLoading function"))
        let undefinedId = try #require(
            event(
                "2024-01-01T00:00:00.121Z\tundefined\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"init\"}",
                time: nil))
        #expect(undefinedId.requestId == nil)
        let err = try #require(
            event(
                "2024-01-01T00:00:00.500Z\t3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"db timeout\",\"stack\":[\"Error: db timeout\"]}"
            ))
        #expect(err.kind == .error)
        #expect(err.errorType == "Error")
        #expect(err.errorMessage == "db timeout")
        let pyUnhandled = try #require(
            event("[ERROR] KeyError: 'x'\rTraceback (most recent call last):\r\u{A0}\u{A0}File \"/var/task/app.py\""))
        #expect(pyUnhandled.kind == .error)
        #expect(pyUnhandled.requestId == nil)
        #expect(pyUnhandled.errorType == "KeyError")
        #expect(pyUnhandled.errorMessage == "'x'")
    }

    @Test func jsonPlatformRecords() throws {
        let start = try #require(
            event(
                #"{"time":"2026-10-08T06:53:45.332Z","type":"platform.start","record":{"requestId":"a45d720c-3e8e-4748-b9c1-56ab2ea95229","functionArn":"arn:aws:lambda:eu-west-1:825765399535:function:tenner-alexa-skill","version":"$LATEST","tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"}}}"#,
                time: nil))
        #expect(start.kind == .start)
        #expect(start.function == "tenner-alexa-skill")
        #expect(
            start.time
                == Timestamp.micros(year: 2026, month: 10, day: 8, hour: 6, minute: 53, second: 45, micro: 332_000))
        #expect(start.traceId?.text == "1-62e900b2-710d76f009d6e7785905449a")
        #expect(start.segmentId == 0x0efb_d199_62d9_5b05)
        let report = try #require(
            event(
                #"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"4b142fc3-17b8-4cdb-a46b-a8dbe7918715","status":"success","metrics":{"durationMs":11.642,"billedDurationMs":12,"memorySizeMB":128,"maxMemoryUsedMB":67,"initDurationMs":174.055}}}"#
            ))
        #expect(report.kind == .report)
        #expect(report.durationUs == 11_642)
        #expect(report.billedDurationUs == 12_000)
        #expect(report.initDurationUs == 174_055)
        #expect(report.status == .success)
        let timeout = try #require(
            event(
                #"{"time":"2026-07-09T06:05:50.581Z","type":"platform.report","record":{"requestId":"aec7a529-47f9-4090-be01-c9ed91bf83cf","metrics":{"durationMs":5000.0,"billedDurationMs":5000,"memorySizeMB":128,"maxMemoryUsedMB":94},"status":"timeout"}}"#
            ))
        #expect(timeout.status == .timeout)
        let done = try #require(
            event(
                #"{"time":"2024-05-20T16:29:45.019Z","type":"platform.runtimeDone","record":{"requestId":"4b142fc3-17b8-4cdb-a46b-a8dbe7918715","status":"success","spans":[{"name":"responseLatency","start":"2024-05-20T16:29:45.008Z","durationMs":2.215},{"name":"runtimeOverhead","start":"2024-05-20T16:29:45.010Z","durationMs":0.9}],"metrics":{"durationMs":11.185,"producedBytes":40}}}"#
            ))
        #expect(done.kind == .runtimeDone)
        #expect(done.runtimeOverheadUs == 900)
        let initStart = try #require(
            event(
                #"{"time":"2024-01-01T00:00:00.000Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","functionName":"orders-handler","functionVersion":"$LATEST"}}"#
            ))
        #expect(initStart.kind == .initStart)
        #expect(initStart.function == "orders-handler")
    }

    @Test func jsonAppLinesIncludingPythonSecondResolutionAndJavaKey() throws {
        // Outside a Lambda group, an application JSON line counts as Lambda only by its request id.
        #expect(
            isAppOutput(
                #"{"timestamp":"2024-01-01T00:00:00Z","level":"INFO","message":"hi","logger":"root","requestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b"}"#,
                inGroup: false))
        #expect(
            isAppOutput(
                #"{"timestamp":"2024-01-01T00:00:00.500Z","message":"x","level":"INFO","AWSRequestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b"}"#,
                inGroup: false))
        #expect(!isAppOutput(#"{"timestamp":"2024-01-01T00:00:00.500Z","message":"x","level":"INFO"}"#, inGroup: false))
        #expect(isAppOutput(#"{"timestamp":"2024-01-01T00:00:00.500Z","message":"x","level":"INFO"}"#, inGroup: true))
        let pyErr = try #require(
            event(
                #"{"timestamp":"2024-01-01T00:00:01Z","log_level":"ERROR","errorMessage":"boom","errorType":"ValueError","requestId":"3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a6b","stackTrace":[]}"#
            ))
        #expect(pyErr.kind == .error)
        #expect(pyErr.errorType == "ValueError")
        #expect(pyErr.errorMessage == "boom")
    }

    @Test func freeFormOutputIsNoiseOnlyInALambdaGroup() {
        let inGroup = withBytes("2024/01/01 00:00:00 go log line") { parser.parse($0, time: nil, inLambdaGroup: true) }
        let outside = withBytes("2024/01/01 00:00:00 go log line") { parser.parse($0, time: nil, inLambdaGroup: false) }
        if case .noise = inGroup {} else { Issue.record("expected noise in a Lambda group") }
        if case .notLambda = outside {} else { Issue.record("expected notLambda outside a Lambda group") }
    }
}
