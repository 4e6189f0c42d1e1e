import Foundation
import Postgres
import Repository

extension Drill {
    /// A logical backup: a fresh cluster (`initdb`), the roles, then every
    /// database of the backup fetched into the spool and restored by `pg_restore`.
    func runLogical(_ backup: BackupManifest, cluster: ScratchCluster, repository: SealedRepository,
                    disaster: DisasterPoint, sourceCounts: SourceRowCounts?, state: inout DrillState) throws {
        progress.begin("creating the scratch cluster", expectedBytes: nil)
        try cluster.initdb()
        try cluster.start(timeout: 300)
        progress.end()
        let restore = LogicalRestore(policy: policy, repository: repository, progress: progress)
        var fetchSeconds = 0.0
        for (index, database) in backup.databases.enumerated() {
            var request = LogicalRestore.Request(database: database)
            request.backup = backup.id
            request.source = database
            request.globals = index == 0
            request.host = cluster.directory
            request.port = cluster.port
            request.spoolDirectory = cluster.spoolDirectory
            fetchSeconds += try restore.run(request).fetchSeconds
        }
        state.endPhase("restore", portions: ["fetch_decrypt_decompress": fetchSeconds])

        let restored = verify(cluster, backup: backup, databases: backup.databases, state: &state)

        // The restored databases are the source as of the dump's start.
        let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
        let probe = dataLossProbe(archive: archive, archived: ((try? archive.entries()) ?? []).map(\.file), disaster: disaster,
                                  segmentSize: disaster.segmentSize)
        measureRPO(disaster.lsn.map { probe.lastCommit(after: backup.startLSN, before: $0, timeline: UInt32(disaster.source?.timeline ?? 1)) },
                   recoveredTo: backup.startedAt, disasterTime: disaster.declaredAt, disaster: disaster,
                   worst: worstCaseRPO(backup: backup, disaster: disaster), state: &state,
                   how: "the restored databases are the source as of the dump's start (\(backup.startLSN)); the source's WAL from there "
                       + "to \(disaster.lsn.map { $0.description } ?? "?") at the disaster was read for commits")
        compareRowCounts(sourceCounts, restored: restored, pointInTime: false, state: &state)
    }
}
