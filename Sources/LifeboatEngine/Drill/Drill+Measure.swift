import Foundation
import Postgres

extension Drill {
    /// Starts counting the source's tables as of now (the disaster), in the
    /// background: the backup's databases (logical), every database (physical).
    func startCounting(_ backup: BackupManifest, disaster: DisasterPoint) -> SourceRowCounts? {
        guard disaster.source != nil else { return nil }
        let settings = policy.postgres
        var databases = backup.databases
        if backup.type == .physical {
            guard let listed = try? PostgresConnection(settings.connection()).connectableDatabases() else { return nil }
            databases = listed
        }
        return SourceRowCounts(databases: databases) { settings.connection(database: $0) }
    }

    /// The verification phase: pg_amcheck, the policy's SQL checks, and every
    /// restored table counted. The RTO ends when it does.
    func verify(_ cluster: ScratchCluster, backup: BackupManifest, databases: [String], state: inout DrillState) -> SourceRowCounts.Counts {
        progress.begin("verifying the restored cluster", expectedBytes: nil)
        defer { progress.end() }
        let verifier = DrillVerifier(cluster: cluster, policy: policy, serverMajor: backup.serverMajor)
        state.serverVersion = try? cluster.connect().query("SHOW server_version").scalar()
        state.checks.append(verifier.amcheck())
        state.checks += verifier.sqlChecks(defaultDatabase: policy.postgres.databases.first ?? "postgres")
        let counts = verifier.restoredCounts(databases: databases)
        state.endPhase("verification")
        state.recovered()
        return counts
    }

    /// Reads the source's WAL from the archive, the policy's data directory, or the source itself.
    func dataLossProbe(archive: WALArchive, archived: [WALFileName], disaster: DisasterPoint, segmentSize: UInt64) -> DataLossProbe {
        DataLossProbe(segmentSize: segmentSize, readSegment: DataLossProbe.segmentSource(
            archive: archive, archived: Set(archived), dataDirectory: policy.postgres.dataDirectory,
            source: disaster.source == nil ? nil : policy.postgres.connection(), segmentSize: segmentSize))
    }

    /// Sets the drill's RPO from what the probe found (nil: the source's WAL position is unknown).
    func measureRPO(_ finding: DataLossProbe.Finding?, recoveredTo: Date, disasterTime: Date, disaster: DisasterPoint,
                    worst: (seconds: Double?, why: String), state: inout DrillState, how: String) {
        let bound = max(0, disasterTime.timeIntervalSince(recoveredTo))
        func measurement(_ basis: DrillRecord.RPOMeasurement.Basis, lastCommit: Date?, detail: String) -> DrillRecord.RPOMeasurement {
            .init(basis: basis, recoveredTo: recoveredTo, lastSourceCommit: lastCommit, worstCaseSeconds: worst.seconds,
                  worstCase: worst.why, detail: detail)
        }
        switch finding {
        case .nothingLost?:
            state.rpoSeconds = 0
            state.rpo = measurement(.measured, lastCommit: nil, detail: how + "; the source committed nothing after the recovered point")
        case let .lastLost(commit)?:
            state.rpoSeconds = max(0, commit.time.timeIntervalSince(recoveredTo))
            state.rpo = measurement(.measured, lastCommit: commit.time,
                                    detail: how + "; the last commit lost is transaction \(commit.xid) at LSN \(commit.lsn)")
        case let .unreadable(reason)?:
            state.rpoSeconds = bound
            state.rpo = measurement(.bound, lastCommit: nil, detail: "an upper bound (disaster time minus the recovered point): \(reason)")
        case nil:
            if let problem = disaster.sourceProblem {
                state.rpoSeconds = nil
                state.rpo = measurement(.unknown, lastCommit: nil, detail: "not measured: the source could not be reached at the disaster (\(problem))")
            } else {
                state.rpoSeconds = bound
                state.rpo = measurement(.bound, lastCommit: nil,
                                        detail: "an upper bound (disaster time minus the recovered point): the source is a standby, with no WAL position of its own")
            }
        }
    }

    /// The most data the policy's settings allow to be lost.
    func worstCaseRPO(backup: BackupManifest, disaster: DisasterPoint) -> (seconds: Double?, why: String) {
        if backup.type == .physical {
            guard let source = disaster.source else { return (nil, "unknown: the source could not be reached to read archive_timeout") }
            guard source.archiveTimeoutSeconds > 0 else {
                return (nil, "unbounded: archive_timeout is 0, so a quiet server can keep a partly filled WAL segment unarchived "
                    + "indefinitely; set archive_timeout (for example to 60s)")
            }
            return (Double(source.archiveTimeoutSeconds),
                    "archive_timeout is \(source.archiveTimeoutSeconds)s: every WAL segment reaches the repository at most that long after it starts")
        }
        guard let schedule = policy.schedule.logical else {
            return (nil, "unbounded: the policy schedules no logical backups (schedule.logical)")
        }
        let gap = Double(schedule.longestGap.seconds)
        return (gap + backup.duration, "logical backups only: the longest gap between scheduled backups (\(schedule.longestGap), "
            + "'\(schedule)') plus the last backup's duration (\(DurationFormat.string(backup.duration)))")
    }

    /// Adds the row-count checks, now that the RPO says whether anything was lost.
    func compareRowCounts(_ source: SourceRowCounts?, restored: SourceRowCounts.Counts, pointInTime: Bool, state: inout DrillState) {
        guard let source else {
            let why = pointInTime ? "the drill recovered to a point in the past, which the source's present cannot be compared with"
                                  : "the source could not be reached at the disaster"
            state.checks.append(.init(name: "row counts", passed: true, detail: "not compared: \(why)"))
            return
        }
        let nothingLost = state.rpo?.basis == .measured && state.rpoSeconds == 0
        state.checks += DrillVerifier.compare(source: source.wait(), restored: restored, nothingLost: nothingLost)
    }
}
