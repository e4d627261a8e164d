import Testing
@testable import LogStitch

@Suite struct ApiGatewayParserTests {
    func parse(_ line: String, templates: [String] = []) -> ApiGatewayLogParser.Result {
        var p = ApiGatewayLogParser(templates: templates.map { try! ApiGatewayTemplate($0) })
        return withBytes(line) { p.parse($0, time: nil) }
    }

    func request(_ line: String, templates: [String] = []) -> ApiGatewayRequest? {
        if case .request(let r) = parse(line, templates: templates) { return r }
        return nil
    }

    @Test func csvTemplate() throws {
        let tpl = "$context.requestId,$context.identity.sourceIp,$context.requestTimeEpoch,$context.httpMethod,$context.resourcePath,$context.status,$context.responseLatency,$context.integrationLatency,$context.integration.requestId,$context.stage,$context.apiId"
        let r = try #require(request("b2000000-0000-4000-8000-000000000001,203.0.113.5,1704067202000,GET,/orders/{orderId},200,75,70,3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11,staging,a1b2c3d4e5", templates: [tpl]))
        #expect(r.requestId == "b2000000-0000-4000-8000-000000000001")
        #expect(r.start == 1_704_067_202_000_000)
        #expect(r.route == "/orders/{orderId}")
        #expect(r.status == 200)
        #expect(r.responseLatencyMs == 75)
        #expect(r.integrationRequestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11")
        #expect(r.stage == "staging")
    }
}
