import Foundation

/// A temporary directory only this user can enter (mode 0700), for work that
/// must touch the disk: a directory-format dump, its extraction at restore.
struct PrivateDirectory {
    let path: String

    /// A new directory in `parent`, or in the temporary directory when nil.
    init(prefix: String, in parent: String? = nil) throws {
        let template = ((parent ?? NSTemporaryDirectory()) as NSString).appendingPathComponent("\(prefix).XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: template, NSLocalizedDescriptionKey: "cannot create \(template): \(String(cString: strerror(errno)))"])
        }
        path = String(cString: created)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
