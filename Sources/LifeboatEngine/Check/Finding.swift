/// One observation of a check: what was looked at, how it stands, and what to do
/// about it. `check --json` prints these under `findings`.
public struct Finding: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// As the policy needs it.
        case ok
        /// Worth a look, but not a failure.
        case warning
        /// Not as the policy needs it; `check` exits 3.
        case problem
    }

    public var name: String
    public var status: Status
    public var detail: String
    /// What to do about a warning or problem.
    public var hint: String?

    public init(name: String, status: Status, detail: String, hint: String? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.hint = hint
    }
}

/// The result of `lifeboat check`: `ok` is true when no finding is a problem.
public struct CheckReport: Sendable, Codable, Equatable {
    public var ok: Bool
    public var policy: String
    public var findings: [Finding]

    public init(policy: String, findings: [Finding]) {
        self.policy = policy
        self.findings = findings
        ok = !findings.contains { $0.status == .problem }
    }
}
