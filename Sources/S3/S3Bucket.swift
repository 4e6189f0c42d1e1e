import AsyncHTTPClient
import NIOCore
import Repository

/// Bucket-level requests, for setting up a store (and for the tests' throwaway buckets).
public enum S3Bucket {
    /// Creates the endpoint's bucket in the default region; an existing bucket
    /// of ours is fine.
    public static func create(_ endpoint: S3Endpoint, credentials: S3Credentials,
                              http: HTTPClient = SharedHTTPClient.client) throws {
        let configuration = S3Configuration(endpoint: endpoint, region: "us-east-1", credentials: credentials, prefix: "")
        let storage = S3Storage(configuration: configuration, http: http)
        _ = try storage.perform("create bucket", "", S3Request(method: .PUT, key: nil)) { response in
            if response.serviceError.code == "BucketAlreadyOwnedByYou" { return response }
            return try response.requireSuccess()
        }
    }
}
