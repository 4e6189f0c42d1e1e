import Foundation
import Pipeline
import Seal

/// Measures the sealed-object format's throughput in memory: seal and unseal
/// MB/s on one core, for `ci/seal-throughput` to print beside `openssl speed`.
/// Usage: lifeboat-seal-bench [MiB] (default 1024).
@main
struct SealBench {
    struct Keys: ObjectKeyProvider {
        let master: SecretKey
        var currentGeneration: UInt32 { 1 }
        func objectKey(generation: UInt32, salt: [UInt8], object: String) throws -> SecretKey {
            try ObjectKeyDerivation.derive(master: master, salt: salt, object: object)
        }
    }

    static func main() throws {
        let mebibytes = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1024
        let keys = Keys(master: try SecretKey.random(count: 32))
        let block = try SecureRandom.bytes(1 << 20)
        let total = mebibytes << 20

        // Seal: plaintext in 1 MiB writes into a sink that only counts.
        var sealedBytes = 0
        let sealStart = DispatchTime.now()
        let writer = try SealingWriter(object: "bench/object", keys: keys) { sealedBytes += $0.count }
        try block.withUnsafeBytes { bytes in
            for _ in 0..<mebibytes { try writer.write(bytes) }
        }
        try writer.finish()
        let sealSeconds = Double(DispatchTime.now().uptimeNanoseconds - sealStart.uptimeNanoseconds) / 1e9
        guard sealedBytes == Int(writer.sealedCount) else { throw SealedObjectError.truncated(object: "bench/object") }

        // A sealed copy to read back (not timed).
        var sealed: [UInt8] = []
        sealed.reserveCapacity(sealedBytes)
        let copier = try SealingWriter(object: "bench/object", keys: keys) { sealed.append(contentsOf: $0) }
        try block.withUnsafeBytes { bytes in
            for _ in 0..<mebibytes { try copier.write(bytes) }
        }
        try copier.finish()

        // Unseal into a 1 MiB buffer, discarding the plaintext.
        var offset = 0
        let unsealStart = DispatchTime.now()
        let reader = try UnsealingReader(object: "bench/object", keys: keys) { buffer in
            let n = min(buffer.count, sealed.count - offset)
            sealed.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }
        var out = [UInt8](repeating: 0, count: 1 << 20)
        var read = 0
        while true {
            let n = try out.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            read += n
        }
        let unsealSeconds = Double(DispatchTime.now().uptimeNanoseconds - unsealStart.uptimeNanoseconds) / 1e9
        guard read == total else { throw SealedObjectError.truncated(object: "bench/object") }

        let mb = Double(total) / 1e6
        print(String(format: "seal %.0f MB/s", mb / sealSeconds))
        print(String(format: "unseal %.0f MB/s", mb / unsealSeconds))
    }
}
