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
        let tpl =
            "$context.requestId,$context.identity.sourceIp,$context.requestTimeEpoch,$context.httpMethod,$context.resourcePath,$context.status,$context.responseLatency,$context.integrationLatency,$context.integration.requestId,$context.stage,$context.apiId"
        let r = try #require(
            request(
                "b2000000-0000-4000-8000-000000000001,203.0.113.5,1704067202000,GET,/orders/{orderId},200,75,70,3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11,staging,a1b2c3d4e5",
                templates: [tpl]))
        #expect(r.requestId == "b2000000-0000-4000-8000-000000000001")
        #expect(r.start == 1_704_067_202_000_000)
        #expect(r.route == "/orders/{orderId}")
        #expect(r.status == 200)
        #expect(r.responseLatencyMs == 75)
        #expect(r.integrationRequestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a11")
        #expect(r.stage == "staging")
    }
}

extension ApiGatewayParserTests {
    @Test func defaultRESTJSONConsoleKeys() throws {
        let r = try #require(
            request(
                #"{"requestId":"c12d1542-b79e-4e79-a158-fdf36452a81b","ip":"1.128.0.0","caller":"-","user":"-","requestTime":"26/Jul/2023:12:07:03 +0000","httpMethod":"GET","resourcePath":"/pets/{petId}","status":"200","protocol":"HTTP/1.1","responseLength":"48","stage":"prod","apiId":"asad15n3p0","domainName":"asad15n3p0.execute-api.us-east-1.amazonaws.com"}"#
            ))
        #expect(r.requestId == "c12d1542-b79e-4e79-a158-fdf36452a81b")
        #expect(r.start == Timestamp.micros(year: 2023, month: 7, day: 26, hour: 12, minute: 7, second: 3))
        #expect(r.startResolution == 1_000_000)
        #expect(r.route == "/pets/{petId}")
        #expect(r.sourceIp == "1.128.0.0")
        #expect(r.responseLength == 48)
        #expect(r.integrationLatencyMs == nil)
    }

    @Test func restEpochMillisAndAbsentDashes() throws {
        let r = try #require(
            request(
                #"{"apiId":"d2zxhf2ieg","errorMessage":"Unauthorized","extendedRequestId":"AyD6KEwwPHcEKxg=","httpMethod":"GET","integrationLatency":"-","integrationStatus":"-","path":"/prod/PythonResource","requestId":"8db3b4dd-ecd5-436d-9eeb-a544e39d3e12","requestTimeEpoch":"1784512576570","resourcePath":"/PythonResource","responseLength":"26","stage":"prod","status":"401","xrayTraceId":"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}"#
            ))
        #expect(r.start == 1_784_512_576_570_000)
        #expect(r.startResolution == 1000)
        #expect(r.errorMessage == "Unauthorized")
        #expect(r.integrationLatencyMs == nil)
        #expect(r.extendedRequestId == "AyD6KEwwPHcEKxg=")
        #expect(r.traceId?.text == "1-5759e988-bd862e3fe1be46a994272793")
    }

    @Test func httpAPISecondsEpochAndRouteKey() throws {
        let r = try #require(
            request(
                #"{"requestId":"KyDfdgZ9oAMEYpA=","extendedRequestId":"KyDfdgZ9oAMEYpA=","awsEndpointRequestId":"88d54618-b7bc-445e-9bd2-d2eb1e8a2045","integrationLatency":"39","responseLatency":"71","requestTime":"18/May/2025:21:08:50 +0000","requestTimeEpoch":"1747602530","routeKey":"GET /api/v1/users/me","path":"/api/v1/users/me","stage":"$default","status":"401"}"#
            ))
        #expect(r.start == 1_747_602_530_000_000)
        #expect(r.startResolution == 1_000_000)
        #expect(r.method == "GET")
        #expect(r.route == "/api/v1/users/me")
        #expect(r.integrationRequestId == "88d54618-b7bc-445e-9bd2-d2eb1e8a2045")
        #expect(r.stage == "$default")
    }

    @Test func jsonTemplateWithOwnKeysAndUnquotedDash() throws {
        let tpl =
            #"{ "rid":"$context.requestId", "t":$context.requestTimeEpoch, "m":"$context.httpMethod", "r":"$context.resourcePath", "s":$context.status, "lat":$context.responseLatency, "integ": {"id":"$context.integration.requestId", "lat":$context.integration.latency}, "x":"$context.xrayTraceId" }"#
        let r = try #require(
            request(
                #"{ "rid":"r-1", "t":1704067201000, "m":"POST", "r":"/orders", "s":502, "lat":48, "integ": {"id":"3F2B8C1E-5D4A-4E6F-9A0B-1C2D3E4F5A05", "lat":-}, "x":"-" }"#,
                templates: [tpl]))
        #expect(r.requestId == "r-1")
        #expect(r.status == 502)
        #expect(r.responseLatencyMs == 48)
        #expect(r.integrationLatencyMs == nil)
        #expect(r.integrationRequestId == "3f2b8c1e-5d4a-4e6f-9a0b-1c2d3e4f5a05")
        #expect(r.traceId == nil)
    }

    @Test func clfDefaultsRESTAndHTTPWithSpaceInRouteKey() throws {
        let rest = try #require(
            request(
                #"198.51.100.7 - - [01/Jan/2024:00:00:00 +0000] "GET /orders/{orderId} HTTP/1.1" 200 482 c6af9ac6-7b61-11e6-9a41-93e8deadbeef Iq8dHhlwIAMEV_g="#
            ))
        #expect(rest.requestId == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
        #expect(rest.extendedRequestId == "Iq8dHhlwIAMEV_g=")
        #expect(rest.route == "/orders/{orderId}")
        #expect(rest.status == 200)
        let http = try #require(
            request(
                #"198.51.100.7 - - [01/Jan/2024:00:00:00 +0000] "GET GET /orders/{orderId} HTTP/1.1" 200 482 Q8NnAiztIAMEV4w="#
            ))
        #expect(http.requestId == "Q8NnAiztIAMEV4w=")
        #expect(http.method == "GET")
        #expect(http.route == "/orders/{orderId}")
        #expect(http.protocolName == "HTTP/1.1")
    }

    @Test func xmlTemplate() throws {
        let tpl =
            #"<request id="$context.requestId"> <ip>$context.identity.sourceIp</ip> <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> <resourcePath>$context.resourcePath</resourcePath> <status>$context.status</status> <responseLength>$context.responseLength</responseLength> </request>"#
        let r = try #require(
            request(
                #"<request id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef"> <ip>198.51.100.7</ip> <requestTime>01/Jan/2024:00:00:00 +0000</requestTime> <httpMethod>GET</httpMethod> <resourcePath>/orders/{orderId}</resourcePath> <status>200</status> <responseLength>482</responseLength> </request>"#,
                templates: [tpl]))
        #expect(r.requestId == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
        #expect(r.start == 1_704_067_200_000_000)
        #expect(r.responseLength == 482)
    }

    @Test func csvWithCommaInUserAgentBacktracks() throws {
        let tpl = "$context.requestId,$context.identity.userAgent,$context.status,$context.responseLatency"
        let r = try #require(request("r9,Mozilla/5.0 (X11, Linux),503,12", templates: [tpl]))
        #expect(r.userAgent == "Mozilla/5.0 (X11, Linux)")
        #expect(r.status == 503)
    }

    @Test func firstMatchingTemplateWinsAndBadTemplatesAreRejected() throws {
        let csv = "$context.requestId,$context.status"
        let clf = "$context.requestId $context.status"
        #expect(request("a b", templates: [csv, clf])?.status == nil)  // "b" is not a status: no template matches
        #expect(request("a 204", templates: [csv, clf])?.status == 204)
        #expect(request("a,201", templates: [csv, clf])?.status == 201)
        #expect(throws: ApiGatewayTemplate.Invalid.self) { try ApiGatewayTemplate("$context.status $context.path") }
        #expect(throws: ApiGatewayTemplate.Invalid.self) { try ApiGatewayTemplate(#"{"status":"$context.status"}"#) }
    }

    @Test func textTemplatesAreTriedOnBraceLinesOnlyWhereTheirFirstValueMayBeAnything() throws {
        let csv = "$context.requestId,$context.status"
        // A request id never begins with `{`: the CSV template is not tried
        // and the line is read as JSON with the default keys.
        let json = try #require(request(#"{"requestId":"r1","status":"201"}"#, templates: [csv]))
        #expect(json.requestId == "r1")
        #expect(json.status == 201)
        #expect(request("{x,201", templates: [csv]) == nil)
        #expect(request("x,201", templates: [csv])?.status == 201)
        // A user agent may be anything, so this one is.
        let r = try #require(
            request("{ua},r2,404", templates: ["$context.identity.userAgent,$context.requestId,$context.status"]))
        #expect(r.userAgent == "{ua}")
        #expect(r.requestId == "r2")
        #expect(r.status == 404)
    }

    @Test func malformedStatusIsRejectedWithReason() {
        if case .malformed(let reason) = parse(#"{"requestId":"x","httpMethod":"GET","status":"abc"}"#) {
            #expect(reason.contains("status"))
        } else {
            Issue.record("expected a malformed result")
        }
    }
}
