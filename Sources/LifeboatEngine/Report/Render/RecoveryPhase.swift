/// The timed steps of a recovery (`DrillRecord.Phase.name`) as the charts and
/// tables show them: in the order they happen, each with a label and a colour.
struct RecoveryPhase: Equatable {
    /// The name a drill record uses: `wal_replay`.
    let name: String
    /// What a reader sees: `WAL replay`.
    let label: String
    let colour: String

    /// The phases lifeboat times, in order.
    static let known: [RecoveryPhase] = [
        RecoveryPhase(name: "fetch_decrypt_decompress", label: "Fetch, decrypt, decompress", colour: "#1f3b63"),
        RecoveryPhase(name: "restore", label: "Restore", colour: "#3d7eb9"),
        RecoveryPhase(name: "wal_replay", label: "WAL replay", colour: "#ef8a3c"),
        RecoveryPhase(name: "verification", label: "Verification", colour: "#f2cf7a"),
    ]

    /// The phase called `name`; an unknown name shows as itself, in grey.
    static func named(_ name: String) -> RecoveryPhase {
        known.first { $0.name == name } ?? RecoveryPhase(name: name, label: name, colour: "#b3b3b3")
    }

    /// The known phases, then any others the drills name (in the order first
    /// seen): the legend and the segment order of every bar.
    static func legend(for drills: [DrillRecord]) -> [RecoveryPhase] {
        var phases = known
        for phase in drills.flatMap(\.phases) where !phases.contains(where: { $0.name == phase.name }) {
            phases.append(named(phase.name))
        }
        return phases
    }

    /// `23%` of the whole, or `–` when the whole is zero.
    static func share(_ part: Double, of whole: Double) -> String {
        whole > 0 ? "\(Int((part / whole * 100).rounded()))%" : "–"
    }
}

extension DrillRecord {
    /// The time the phases add up to: the RTO of a drill that reached a
    /// database, how far a failed one got.
    var phaseSeconds: Double { phases.reduce(0) { $0 + $1.seconds } }

    /// The drill's phases in legend order, repeated names added together.
    func phaseTotals(in legend: [RecoveryPhase]) -> [(phase: RecoveryPhase, seconds: Double)] {
        legend.compactMap { phase in
            let matching = phases.filter { $0.name == phase.name }
            return matching.isEmpty ? nil : (phase, matching.reduce(0) { $0 + $1.seconds })
        }
    }
}
