import Foundation

/// The first half of a delta restore: makes an existing data directory
/// comparable with a backup's layout. Anything not in the layout (or of
/// another type) is removed; regular files whose size and SHA-256 equal the
/// backup's are reported as kept, so the restore does not rewrite them.
struct DeltaScan {
    let destination: String
    let layout: PhysicalLayout

    /// The regular files found identical, by their index in stream order (a bit each).
    struct Kept {
        private var words: [UInt64]
        private(set) var count = 0

        init(files: Int) { words = [UInt64](repeating: 0, count: files / 64 + 1) }

        func contains(_ index: Int) -> Bool { words[index / 64] & (1 << (index % 64)) != 0 }

        mutating func insert(_ index: Int) {
            guard !contains(index) else { return }
            words[index / 64] |= 1 << (index % 64)
            count += 1
        }
    }

    func run(progress: ProgressReporter) throws -> Kept {
        // Directories and links are few; regular files are looked up by the hash of their path.
        var listed: [String: PhysicalLayout.File] = [:]
        for entry in layout.directories + layout.symlinks { listed[entry.path] = entry }
        try removeUnwanted(relative: "", listed: listed)
        var keep = Kept(files: layout.regularFileCount)
        progress.begin("comparing the existing files with the backup", expectedBytes: layout.regularBytes)
        defer { progress.end() }
        var compared: Int64 = 0
        var files = layout.regularFiles()
        while let (index, file) = try files.next() {
            guard file.path != DataDirectoryWriter.controlFile else { continue }
            let path = destination + "/" + file.path
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int64(status.st_size) == file.size else { continue }
            let input = try LocalFile.reading(path)
            if try input.sha256() == file.sha256 { keep.insert(index) }
            compared += file.size ?? 0
            progress.advance(to: compared)
        }
        return keep
    }

    private func removeUnwanted(relative: String, listed: [String: PhysicalLayout.File]) throws {
        let directory = relative.isEmpty ? destination : destination + "/" + relative
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            let path = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(destination + "/" + path, &status) == 0 else { continue }
            let type: PhysicalLayout.File.FileType? = switch status.st_mode & S_IFMT {
            case S_IFDIR: .directory
            case S_IFREG: .file
            case S_IFLNK: .symlink
            default: nil
            }
            if let entry = listed[path], entry.type == type {
                if type == .directory { try removeUnwanted(relative: path, listed: listed) }
                if type == .symlink, (try? FileManager.default.destinationOfSymbolicLink(atPath: destination + "/" + path)) != entry.target {
                    try FileManager.default.removeItem(atPath: destination + "/" + path)
                }
            } else if listed[path] == nil, type == .file, layout.listsRegularFile(path) {
                continue
            } else {
                try FileManager.default.removeItem(atPath: destination + "/" + path)
            }
        }
    }
}
