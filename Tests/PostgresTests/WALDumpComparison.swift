import Postgres

extension WALDump {
    /// pg_waldump's names of the built-in resource managers, by id (`rmgrlist.h`).
    static let resourceManagerNames = [
        "XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace", "MultiXact", "RelMap", "Standby", "Heap2",
        "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist", "BRIN", "CommitTs", "ReplicationOrigin", "Generic",
        "LogicalMessage",
    ]
    static let forkNames = ["main", "fsm", "vm", "init"]

    /// Every way `scan` disagrees with what pg_waldump printed, one line each.
    func differences(from scan: WALSegmentScan) -> [String] {
        var problems: [String] = []
        if scan.records.count != records.count {
            problems.append("\(scan.records.count) records scanned, pg_waldump printed \(records.count)")
        }
        for (index, (mine, theirs)) in zip(scan.records, records).enumerated() {
            func check<T: Equatable>(_ what: String, _ a: T, _ b: T) {
                if a != b { problems.append("record \(index) at \(theirs.lsn): \(what) \(a), pg_waldump \(b)") }
            }
            check("lsn", mine.lsn, theirs.lsn)
            check("prev", mine.previousLSN, theirs.previous)
            check("xid", mine.xid, theirs.xid)
            check("total length", Int(mine.totalLength), theirs.totalLength)
            check("length without images", Int(mine.totalLength) - mine.imageBytes, theirs.recordLength)
            let name = Int(mine.resourceManager) < Self.resourceManagerNames.count
                ? Self.resourceManagerNames[Int(mine.resourceManager)] : "custom \(mine.resourceManager)"
            check("resource manager", name, theirs.resourceManager)
            check("decoded", mine.mainData != nil, true)
            check("blocks", mine.blocks.map(Self.block(from:)), theirs.blocks)
        }
        return problems
    }

    /// A scanned block reference as pg_waldump describes one.
    private static func block(from reference: WALBlockReference) -> Block {
        Block(
            id: Int(reference.id), relation: reference.relation.description,
            fork: Int(reference.fork) < forkNames.count ? forkNames[Int(reference.fork)] : "fork \(reference.fork)",
            blockNumber: reference.blockNumber,
            image: reference.image.map {
                Image(holeOffset: $0.holeOffset, holeLength: $0.holeLength, compressed: $0.isCompressed, applied: $0.isApplied)
            }
        )
    }
}
