import Archive
import Foundation

/// Compresses and seals one long plaintext stream on several cores at once.
///
/// The producer appends bytes; they are cut into fixed-size blocks, numbered
/// from 0. Each of `workers` threads takes the next free block, compresses it
/// into the part object it is writing (one continuous compressed stream per
/// part), and records which block numbers went into that part, in order. A
/// part is closed after `partLimit` plaintext bytes and the worker starts a
/// new one. The stream is thus the concatenation of blocks 0, 1, 2, …; part
/// `p` holds blocks `parts[p].blocks` in that order, so reading any part on its
/// own yields whole blocks whose place in the stream is known — which is what
/// lets a restore decompress all parts in parallel.
///
/// Parts carry no digest of their own: every chunk of a part is authenticated
/// by AES-GCM when it is read, and the caller hashes what it appends (a
/// physical backup keeps a SHA-256 per file), so hashing whole parts again
/// would read every byte a second time for nothing.
///
/// Memory: `workers + 1` blocks of `blockSize` bytes (one per worker and the
/// one being filled: the producer, reading files, outruns the compressors),
/// plus one compressor per worker, which writes into its part's sealing chunk
/// (`SealedCompressor`).
public final class ParallelPacker: @unchecked Sendable {
    /// One finished part.
    public struct Part: Sendable, Equatable {
        public var name: String
        public var blocks: BlockMap
        public var plaintextBytes: Int64
        public var storedBytes: Int64
    }

    /// Stores one part: runs `body` with a sealing writer for the object named
    /// `name`, publishes it, and returns its stored size.
    public typealias Store = @Sendable (_ name: String, _ body: (SealingWriter) throws -> Void) throws -> Int64

    struct Block: @unchecked Sendable {
        let index: Int
        let buffer: UnsafeMutableRawBufferPointer
        let count: Int
    }

    public let blockSize: Int
    private let compression: Compression
    private let partLimit: Int64
    private let store: Store
    private let partName: @Sendable (Int) -> String
    private let work: BlockQueue<Block>
    private let free: BlockQueue<UnsafeMutableRawBufferPointer>
    private var allBuffers: [UnsafeMutableRawBufferPointer] = []
    private let group = DispatchGroup()
    private let state = NSLock()
    private var parts: [Part] = []
    private var nextPart = 0
    private var failure: Error?

    // Producer side (one thread).
    private var current: UnsafeMutableRawBufferPointer?
    private var filled = 0
    private var blockCount = 0
    /// Plaintext bytes appended so far.
    public private(set) var totalBytes: Int64 = 0

    public init(workers: Int, blockSize: Int = 512 << 10, partLimit: Int64 = 256 << 20, compression: Compression,
                partName: @escaping @Sendable (Int) -> String, store: @escaping Store) {
        let workers = max(1, workers)
        self.blockSize = blockSize
        self.compression = Compression(compression.algorithm, level: compression.level, threads: 0)
        self.partLimit = partLimit
        self.store = store
        self.partName = partName
        work = BlockQueue(capacity: workers)
        free = BlockQueue(capacity: workers + 1)
        for _ in 0..<(workers + 1) {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
            allBuffers.append(buffer)
            free.push(buffer)
        }
        for _ in 0..<workers {
            let thread = Thread { [self] in
                self.workerLoop()
                self.group.leave()
            }
            thread.stackSize = 1 << 20
            group.enter()
            thread.start()
        }
    }

    deinit {
        for buffer in allBuffers { buffer.deallocate() }
    }

    /// Appends plaintext. Throws the first worker failure.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            if current == nil {
                guard let buffer = free.pop() else { throw firstFailure() }
                current = buffer
                filled = 0
            }
            guard let buffer = current?.baseAddress, let base = bytes.baseAddress else { return }
            let n = min(blockSize - filled, bytes.count - offset)
            (buffer + filled).copyMemory(from: base + offset, byteCount: n)
            filled += n
            offset += n
            totalBytes += Int64(n)
            if filled == blockSize { try dispatch() }
        }
    }

    /// Appends what `read` produces until it returns 0: `read` fills the
    /// buffer it is given (the free end of the current block, so the bytes are
    /// copied once) and returns how many bytes it wrote; `observe` then sees
    /// those bytes. Returns the number of bytes appended.
    public func append(readingWith read: (UnsafeMutableRawBufferPointer) throws -> Int,
                       observe: (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var appended: Int64 = 0
        while true {
            if current == nil {
                guard let buffer = free.pop() else { throw firstFailure() }
                current = buffer
                filled = 0
            }
            guard let buffer = current else { return appended }
            let n = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<blockSize]))
            if n == 0 { return appended }
            try observe(UnsafeRawBufferPointer(rebasing: buffer[filled..<filled + n]))
            filled += n
            totalBytes += Int64(n)
            appended += Int64(n)
            if filled == blockSize { try dispatch() }
        }
    }

    /// Sends the last partial block, waits for every part to be stored and
    /// returns them in the order they were opened. Throws the first failure.
    public func finish() throws -> [Part] {
        if current != nil, filled > 0 { try dispatch() }
        work.close()
        group.wait()
        return try state.withLock {
            if let failure { throw failure }
            return parts.sorted { $0.name < $1.name }
        }
    }

    /// Stops the workers without finishing (after a producer failure). Parts
    /// already stored stay stored; the caller removes them.
    public func abort() {
        fail(CancellationError())
        group.wait()
    }

    private func dispatch() throws {
        guard let buffer = current else { return }
        current = nil
        guard work.push(Block(index: blockCount, buffer: buffer, count: filled)) else { throw firstFailure() }
        blockCount += 1
        filled = 0
    }

    private func firstFailure() -> Error {
        state.withLock { failure ?? CancellationError() }
    }

    private func fail(_ error: Error) {
        state.withLock { if failure == nil { failure = error } }
        work.close()
        free.close()
    }

    private func workerLoop() {
        while let first = work.pop() {
            let number = state.withLock { () -> Int in
                nextPart += 1
                return nextPart
            }
            let name = partName(number)
            var blocks = BlockMap()
            var plaintext: Int64 = 0
            do {
                let stored = try store(name) { sealer in
                    let stream = try SealedCompressor(compression, sealer: sealer)
                    var block: Block? = first
                    while let next = block {
                        try stream.write(UnsafeRawBufferPointer(rebasing: next.buffer[0..<next.count]))
                        blocks.append(next.index)
                        plaintext += Int64(next.count)
                        free.push(next.buffer)
                        block = plaintext < partLimit ? work.pop() : nil
                    }
                    try stream.finish()
                }
                let part = Part(name: name, blocks: blocks, plaintextBytes: plaintext, storedBytes: stored)
                state.withLock { parts.append(part) }
            } catch {
                fail(error)
                return
            }
        }
    }
}
