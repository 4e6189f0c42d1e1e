import ExternalProgram
import Foundation
import Postgres

/// The checks a drill runs on the restored cluster: `pg_amcheck` over every
/// database, the policy's SQL checks with their expectations, and row counts
/// per table against the source.
struct DrillVerifier {
    let cluster: ScratchCluster
    let policy: Policy
    let serverMajor: Int

    /// `pg_amcheck --all --heapallindexed`: every table's heap and every B-tree
    /// index, with every heap tuple looked up in its indexes.
    func amcheck() -> DrillRecord.Check {
        let name = "pg_amcheck"
        do {
            let path = try cluster.programs.checked("pg_amcheck", serverMajor: serverMajor)
            let arguments = ["--all", "--install-missing", "--heapallindexed", "--no-password", "--jobs", String(policy.postgres.physicalJobs),
                             "-h", cluster.directory, "-p", String(cluster.port), "-U", cluster.superuser]
            let result = try ProgramRunner.run(Program(path, arguments), allowFailure: true)
            if result.status == 0 {
                return .init(name: name, passed: true, detail: "no corruption in any table or B-tree index (heap, TOAST, heapallindexed)")
            }
            let output = result.output + "\n" + result.stderr
            return .init(name: name, passed: false, detail: "exit status \(result.status): " + ProgramRunner.tail(of: output))
        } catch {
            return .init(name: name, passed: false, detail: error.localizedDescription)
        }
    }

    /// The policy's `drill.checks`, each a single value held against its expectation.
    func sqlChecks(defaultDatabase: String) -> [DrillRecord.Check] {
        policy.drill.checks.map { check in
            let database = check.database ?? defaultDatabase
            do {
                let value = try cluster.connect(database: database).query(check.sql).scalar()
                let shown = value ?? "NULL"
                let met = check.expectation.isMet(by: value)
                return .init(name: check.name, passed: met, detail: "\(shown) (expected \(check.expectation)) in \(database)")
            } catch {
                return .init(name: check.name, passed: false, detail: "\(database): \(error.localizedDescription)")
            }
        }
    }

    /// Every table of each database counted in the restored cluster.
    func restoredCounts(databases: [String]) -> SourceRowCounts.Counts {
        var counts: SourceRowCounts.Counts = [:]
        for database in databases {
            counts[database] = Result { try SourceRowCounts.count(try cluster.connect(database: database)) }
                .mapError { SourceRowCounts.CountError(message: $0.localizedDescription) }
        }
        return counts
    }

    /// Row counts per database compared with the source's at the disaster.
    /// When nothing was lost they must be equal; when transactions were lost,
    /// differences are expected and listed.
    static func compare(source: SourceRowCounts.Counts, restored: SourceRowCounts.Counts, nothingLost: Bool) -> [DrillRecord.Check] {
        source.keys.sorted().map { database in
            let name = "row counts: \(database)"
            let sourceCounts: [String: Int64]
            switch source[database] {
            case let .success(counts)?: sourceCounts = counts
            case let .failure(error)?: return .init(name: name, passed: true, detail: "not compared: the source could not be counted (\(error.message))")
            case nil: return .init(name: name, passed: true, detail: "not compared")
            }
            let counted: [String: Int64]
            switch restored[database] {
            case let .success(counts)?: counted = counts
            case let .failure(error)?: return .init(name: name, passed: false, detail: "the restored database could not be counted: \(error.message)")
            case nil: return .init(name: name, passed: false, detail: "the database is missing from the restored cluster")
            }
            let missing = sourceCounts.keys.filter { counted[$0] == nil }.sorted()
            let differing = sourceCounts.keys.filter { counted[$0] != nil && counted[$0] != sourceCounts[$0] }.sorted()
            let rows = sourceCounts.values.reduce(0, +)
            if missing.isEmpty, differing.isEmpty {
                return .init(name: name, passed: true, detail: "\(sourceCounts.count) tables, \(rows) rows: every table matches the source")
            }
            let listed = missing.map { "\($0) missing" } + differing.map { "\($0): \(counted[$0] ?? 0) restored, \(sourceCounts[$0] ?? 0) on the source" }
            let shown = listed.prefix(5).joined(separator: "; ") + (listed.count > 5 ? "; and \(listed.count - 5) more" : "")
            if nothingLost {
                return .init(name: name, passed: false, detail: "differs from the source although no transaction was lost: \(shown)")
            }
            return .init(name: name, passed: true,
                         detail: "\(sourceCounts.count - missing.count - differing.count) of \(sourceCounts.count) tables match; "
                             + "the others changed after the recovered point (the RPO window): \(shown)")
        }
    }
}
