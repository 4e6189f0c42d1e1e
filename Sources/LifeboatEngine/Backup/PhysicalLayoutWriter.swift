import Foundation
import Pipeline

/// Writes a backup's `files.json` (see `PhysicalLayout`) as the backup goes:
/// each entry is appended as a line of JSON to a `SpillFile` the moment it is
/// known, so memory stays the same however many files the data directory
/// holds; `document` then streams the whole document, parts last.
final class PhysicalLayoutWriter {
    private let entries: SpillFile
    /// Entries added so far.
    private(set) var count = 0

    init() throws { entries = try SpillFile() }

    func add(_ file: PhysicalLayout.File) throws {
        var fields = ["\"mode\": \(file.mode)", "\"mtime\": \(file.mtime)"]
        if let offset = file.offset { fields.append("\"offset\": \(offset)") }
        fields.append("\"path\": \(JSONText.quoted(file.path))")
        if let sha256 = file.sha256 { fields.append("\"sha256\": \(JSONText.quoted(sha256))") }
        if let size = file.size { fields.append("\"size\": \(size)") }
        if let target = file.target { fields.append("\"target\": \(JSONText.quoted(target))") }
        fields.append("\"type\": \"\(file.type.rawValue)\"")
        try entries.append((count == 0 ? "\n{" : ",\n{") + fields.joined(separator: ", ") + "}")
        count += 1
    }

    /// The whole document as a source of bytes (0 at its end).
    func document(blockSize: Int, parts: [PhysicalLayout.Part]) throws -> (UnsafeMutableRawBufferPointer) throws -> Int {
        try entries.flush()
        let partLines = parts.map { part in
            "{\"block_map\": \"\(Data(part.blocks.bits).base64EncodedString())\", \"first_block\": \(part.blocks.firstBlock), "
                + "\"name\": \(JSONText.quoted(part.name))}"
        }
        let head = Array("{\"block_size\": \(blockSize),\n \"files\": [".utf8)
        let tail = Array("\n],\n \"parts\": [\n\(partLines.joined(separator: ",\n"))\n]}\n".utf8)
        return entries.source(between: head, and: tail)
    }
}
