import Foundation
import Postgres
import Repository

extension Drill {
    /// A physical backup: written into the scratch data directory, started, and
    /// recovered through the WAL archived at the disaster (or to the target time).
    func runPhysical(_ backup: BackupManifest, targetTime: Date?, cluster: ScratchCluster, repository: SealedRepository,
                     disaster: DisasterPoint, sourceCounts: SourceRowCounts?, state: inout DrillState) throws {
        let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
        let entries = try archive.entries()
        let path = try archive.path(through: entries)
        var request = PhysicalRestore.Request(dataDirectory: cluster.dataDirectory)
        request.backup = backup.id
        request.target = targetTime.map { .time($0) } ?? .end
        request.action = .promote
        request.archiving = false
        // What a disaster now would leave: the WAL archived so far, and no more.
        request.horizon = targetTime == nil ? WALHorizon.current(of: entries, timeline: path.timeline) : nil
        request.timeline = path.timeline
        _ = try PhysicalRestore(policy: policy, repository: repository, progress: progress, executable: executable).run(request)
        state.endPhase("fetch_decrypt_decompress")

        progress.begin("starting the scratch server (recovery to a consistent state)", expectedBytes: nil)
        try cluster.start(timeout: recoveryTimeout)
        progress.end()
        state.endPhase("restore")
        progress.begin("replaying archived WAL", expectedBytes: nil)
        try cluster.waitUntilPromoted(timeout: TimeInterval(recoveryTimeout))
        progress.end()
        state.endPhase("wal_replay")

        let restored = verify(cluster, backup: backup, databases: try cluster.connect().connectableDatabases(), state: &state)

        let log = RecoveryLog(log: cluster.log())
        let recoveredTo = log.lastTransaction ?? backup.physical?.consistentAt ?? backup.finishedAt
        let recoveredLSN = log.redoDone ?? request.horizon.map { LSN($0.last.number(segmentSize: path.segmentSize) * path.segmentSize + path.segmentSize) }
            ?? backup.stopLSN
        let probe = dataLossProbe(archive: archive, archived: entries.map(\.file), disaster: disaster, segmentSize: path.segmentSize)
        let worst = worstCaseRPO(backup: backup, disaster: disaster)
        if let targetTime {
            let finding = probe.lastCommit(after: recoveredLSN, upTo: targetTime, timeline: path.timeline)
            measureRPO(finding, recoveredTo: recoveredTo, disasterTime: targetTime, disaster: disaster, worst: worst, state: &state,
                       how: "point-in-time drill: the disaster is the target time; commits at or before it after the last one replayed "
                           + "were read from the archived WAL")
        } else {
            measureRPO(disaster.lsn.map { probe.lastCommit(after: recoveredLSN, before: $0, timeline: UInt32(disaster.source?.timeline ?? 1)) },
                       recoveredTo: recoveredTo, disasterTime: disaster.declaredAt, disaster: disaster, worst: worst, state: &state,
                       how: "the last transaction replayed is from PostgreSQL's recovery log; the source's WAL after it "
                           + "(up to \(disaster.lsn.map { $0.description } ?? "?") at the disaster) was read for commits")
        }
        compareRowCounts(sourceCounts, restored: restored, pointInTime: targetTime != nil, state: &state)
    }
}
