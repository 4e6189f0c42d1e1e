import Foundation

/// The first half of a delta restore: makes an existing data directory
/// comparable with a backup's layout. Anything not in the layout (or of
/// another type) is removed; regular files whose size and SHA-256 equal the
/// backup's are reported as kept, so the restore does not rewrite them.
struct DeltaScan {
    let destination: String
    let layout: PhysicalLayout

    func run(progress: ProgressReporter) throws -> Set<String> {
        let wanted = Dictionary(layout.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        try removeUnwanted(relative: "", wanted: wanted)
        var keep: Set<String> = []
        let candidates = layout.regularFiles
        progress.begin("comparing the existing files with the backup", expectedBytes: candidates.reduce(0) { $0 + ($1.size ?? 0) })
        defer { progress.end() }
        var compared: Int64 = 0
        for file in candidates where file.path != DataDirectoryWriter.controlFile {
            let path = destination + "/" + file.path
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, Int64(status.st_size) == file.size else { continue }
            let input = try LocalFile.reading(path)
            if try input.sha256() == file.sha256 { keep.insert(file.path) }
            compared += file.size ?? 0
            progress.advance(to: compared)
        }
        return keep
    }

    private func removeUnwanted(relative: String, wanted: [String: PhysicalLayout.File]) throws {
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
            if let entry = wanted[path], entry.type == type {
                if type == .directory { try removeUnwanted(relative: path, wanted: wanted) }
                if type == .symlink, (try? FileManager.default.destinationOfSymbolicLink(atPath: destination + "/" + path)) != entry.target {
                    try FileManager.default.removeItem(atPath: destination + "/" + path)
                }
            } else {
                try FileManager.default.removeItem(atPath: destination + "/" + path)
            }
        }
    }
}
