/// One WAL record (`XLogRecord`) as a segment scan reports it.
public struct WALRecord: Sendable, Equatable {
    /// Where the record starts.
    public var lsn: LSN
    /// Where the record ends, as PostgreSQL reports it (the value `XLogInsert`
    /// returns): just past its last byte, rounded up to 8. When a record ends
    /// exactly at a page boundary that boundary is its end, and the next
    /// record starts after the next page header.
    public var endLSN: LSN
    /// `xl_prev`: where the record before it starts.
    public var previousLSN: LSN
    /// `xl_tot_len`: bytes of the record, headers, images and data included.
    public var totalLength: UInt32
    /// `xl_xid`: the transaction that wrote it, 0 for none.
    public var xid: UInt32
    /// `xl_rmid`: the resource manager (`WALResourceManager`).
    public var resourceManager: UInt8
    /// `xl_info`: the resource manager's opcode and flag bits.
    public var info: UInt8
    /// The pages the record touches; empty when it touches none or when its
    /// headers could not be decoded (then `mainData` is nil).
    public var blocks: [WALBlockReference]
    /// The record's main data, cut to the scan's `mainDataLimit`; nil when the
    /// block and data headers could not be decoded.
    public var mainData: [UInt8]?
    /// The full length of the main data, of which `mainData` may hold a prefix.
    public var mainDataLength: Int

    /// Bytes of full-page images in the record (pg_waldump's `tot` minus `rec`).
    public var imageBytes: Int { blocks.reduce(0) { $0 + ($1.image?.length ?? 0) } }
    /// Whether `mainData` holds all of the main data.
    public var hasCompleteMainData: Bool { mainData?.count == mainDataLength }
}

/// The resource managers, and the opcodes, lifeboat reads (`rmgrlist.h`).
public enum WALResourceManager {
    /// `RM_XLOG_ID`: checkpoints, switches, restore points, full-page images.
    public static let xlog: UInt8 = 0
    /// `RM_XACT_ID`: commits, aborts, prepares.
    public static let transaction: UInt8 = 1

    /// `XLOG_SWITCH`, in `RM_XLOG_ID`: the rest of the segment is unused.
    public static let xlogSwitch: UInt8 = 0x40
    /// `XLOG_RESTORE_POINT`, in `RM_XLOG_ID`: `pg_create_restore_point()`.
    public static let xlogRestorePoint: UInt8 = 0x70
    /// The opcode bits of `xl_info` (`~XLR_INFO_MASK`) for `RM_XLOG_ID`.
    public static let xlogOpcodeMask: UInt8 = 0xF0
}

extension WALRecord {
    /// Whether this is an `XLOG_SWITCH` record.
    public var isSwitch: Bool {
        resourceManager == WALResourceManager.xlog && info & WALResourceManager.xlogOpcodeMask == WALResourceManager.xlogSwitch
    }
}
