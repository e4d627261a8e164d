/// Command-line knowledge the correlator cannot get from the logs.
public struct CorrelationOptions: Sendable {
    /// `--api-name ID=NAME`: API names for segment names (`<name>/<stage>`).
    public var apiNames: [String: String] = [:]
    /// `--db-function INSTANCE=FUNCTION`: functions known to query an instance,
    /// making their invocations candidates for uncommented statements.
    public var dbFunctions: [String: Set<String>] = [:]
    /// `--now`: what trace ages are measured from (summary.json counts the
    /// traces X-Ray would refuse by age).
    public var ageLimit = XRayAgeLimit()
    /// `--region`, `--account`: where the logs do not say (an API's custom
    /// domain or `$context.accountId` win). Unknown, ARNs and execute-api
    /// hosts are left out rather than made up.
    public var region: String?
    public var account: String?
    public init() {}
}
