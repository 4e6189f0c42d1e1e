import Foundation
import Repository

/// Paginated listings: objects (ListObjectsV2) and unfinished multipart
/// uploads (ListMultipartUploads), both under the repository's prefix.
enum S3Listing {
    /// An unfinished multipart upload.
    struct Upload {
        let key: String
        let bucketKey: String
        let uploadID: String
        let initiated: Date
    }

    /// Objects whose repository key starts with `prefix`, in key order.
    static func objects(in storage: S3Storage, prefix: String) throws -> [ObjectInfo] {
        let bucketPrefix = storage.bucketKey(prefix)
        var results: [ObjectInfo] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", bucketPrefix), ("max-keys", String(storage.configuration.listPageSize))]
            if let token { query.append(("continuation-token", token)) }
            let page = try document(storage, "list", prefix, S3Request(method: .GET, key: nil, query: query))
            for entry in page.all("Contents") {
                guard let key = entry.value("Key"), key.hasPrefix(bucketPrefix) else { continue }
                let size = entry.value("Size").flatMap { Int64($0) } ?? 0
                let modified = entry.value("LastModified").flatMap(HTTPDate.parseISO8601) ?? Date(timeIntervalSince1970: 0)
                results.append(ObjectInfo(key: storage.repositoryKey(key), size: size, modified: modified))
            }
            token = nil
            if page.value("IsTruncated") == "true" {
                guard let next = page.value("NextContinuationToken"), !next.isEmpty else {
                    throw StorageFailure.make("list", storage.url(prefix), "a truncated listing without a continuation token", attempts: nil)
                }
                token = next
            }
        } while token != nil
        return results.sorted { $0.key < $1.key }
    }

    /// Every unfinished multipart upload under the repository's prefix.
    static func multipartUploads(in storage: S3Storage) throws -> [Upload] {
        let bucketPrefix = storage.configuration.prefix.isEmpty ? "" : storage.configuration.prefix + "/"
        var uploads: [Upload] = []
        var markers: (key: String, uploadID: String)?
        repeat {
            var query = [("uploads", ""), ("prefix", bucketPrefix), ("max-uploads", String(storage.configuration.listPageSize))]
            if let markers { query += [("key-marker", markers.key), ("upload-id-marker", markers.uploadID)] }
            let page = try document(storage, "list unfinished uploads in", "", S3Request(method: .GET, key: nil, query: query))
            for entry in page.all("Upload") {
                guard let key = entry.value("Key"), key.hasPrefix(bucketPrefix), let uploadID = entry.value("UploadId") else { continue }
                let initiated = entry.value("Initiated").flatMap(HTTPDate.parseISO8601) ?? Date(timeIntervalSince1970: 0)
                uploads.append(Upload(key: storage.repositoryKey(key), bucketKey: key, uploadID: uploadID, initiated: initiated))
            }
            markers = nil
            if page.value("IsTruncated") == "true" {
                guard let key = page.value("NextKeyMarker"), let id = page.value("NextUploadIdMarker") else {
                    throw StorageFailure.make("list unfinished uploads in", storage.location, "a truncated listing without markers", attempts: nil)
                }
                markers = (key, id)
            }
        } while markers != nil
        return uploads
    }

    private static func document(_ storage: S3Storage, _ operation: String, _ key: String, _ request: S3Request) throws -> S3XMLElement {
        guard let response = try storage.perform(operation, key, request) else {
            throw StorageFailure.make(operation, storage.url(key), "no answer", attempts: nil)
        }
        guard let document = S3XMLElement.parse(response.bytes) else {
            throw StorageFailure.make(operation, storage.url(key), "the store's answer is not XML", attempts: nil)
        }
        return document
    }
}
