import Foundation
@testable import S3
import Testing

/// The signer against AWS's published examples: the S3 API reference's
/// "Signature Calculations for the Authorization Header" (secret
/// `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, 24 May 2013) and the generic
/// SigV4 test suite (`get-vanilla` and friends, 30 August 2015).
@Suite struct SigV4SignerTests {
    static let s3Example = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let may24 = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = ("host", "examplebucket.s3.amazonaws.com")
    static let date = ("x-amz-date", "20130524T000000Z")
    static let emptyHash = SigV4Signer.emptyPayloadHash

    static func signature(_ authorization: String) -> String {
        String(authorization.split(separator: "=").last ?? "")
    }

    @Test func getObjectWithRange() throws {
        let authorization = try Self.s3Example.authorization(
            method: "GET", canonicalURI: "/test.txt", query: [],
            headers: [Self.host, ("range", "bytes=0-9"), ("x-amz-content-sha256", Self.emptyHash), Self.date],
            payloadHash: Self.emptyHash, date: Self.may24)
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectWithEncodedKeyAndSignedPayload() throws {
        let payload = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        #expect(SigV4Encoding.path("test$file.text") == "test%24file.text")
        let authorization = try Self.s3Example.authorization(
            method: "PUT", canonicalURI: "/" + SigV4Encoding.path("test$file.text"), query: [],
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), Self.host, ("x-amz-content-sha256", payload), Self.date,
                      ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: payload, date: Self.may24)
        #expect(authorization.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"))
        #expect(Self.signature(authorization) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycleWithBareQueryName() throws {
        let authorization = try Self.s3Example.authorization(
            method: "GET", canonicalURI: "/", query: [("lifecycle", "")],
            headers: [Self.host, ("x-amz-content-sha256", Self.emptyHash), Self.date], payloadHash: Self.emptyHash, date: Self.may24)
        #expect(Self.signature(authorization) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjectsWithSortedQuery() throws {
        let authorization = try Self.s3Example.authorization(
            method: "GET", canonicalURI: "/", query: [("prefix", "J"), ("max-keys", "2")],
            headers: [Self.host, ("x-amz-content-sha256", Self.emptyHash), Self.date], payloadHash: Self.emptyHash, date: Self.may24)
        #expect(Self.signature(authorization) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    /// The generic suite: service `service`, key `AKIDEXAMPLE`.
    @Test(arguments: [
        ("/", [(String, String)](), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),  // get-vanilla
        ("/", [("Param2", "value2"), ("Param1", "value1")], "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),  // get-vanilla-query-order-key-case
        ("/%E1%88%B4", [], "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),  // get-utf8
    ])
    func genericTestSuite(path: String, query: [(String, String)], expected: String) throws {
        let signer = SigV4Signer(
            credentials: S3Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", service: "service")
        let authorization = try signer.authorization(
            method: "GET", canonicalURI: path, query: query,
            headers: [("host", "example.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
            payloadHash: Self.emptyHash, date: Date(timeIntervalSince1970: 1_440_938_160))
        #expect(authorization.contains("Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "))
        #expect(Self.signature(authorization) == expected)
    }

    @Test func encodingKeepsOnlyUnreservedCharacters() {
        #expect(SigV4Encoding.component("a b/c+d:e=é~") == "a%20b%2Fc%2Bd%3Ae%3D%C3%A9~")
        #expect(SigV4Encoding.path("lms/wal/00000001.history") == "lms/wal/00000001.history")
        #expect(SigV4Encoding.path("a/b:c+d") == "a/b%3Ac%2Bd")
        #expect(SigV4Encoding.query([("uploadId", "a/b+c=="), ("partNumber", "2")]) == "partNumber=2&uploadId=a%2Fb%2Bc%3D%3D")
        #expect(SigV4Encoding.query([("uploads", "")]) == "uploads=")
    }

    /// A session token travels in a signed header, never in the Authorization value.
    @Test func sessionTokenIsSignedAndNeverShown() throws {
        let credentials = S3Credentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "token-value")
        let endpoint = try S3Endpoint(endpoint: "https://s3.eu-central-1.amazonaws.com", region: "eu-central-1", bucket: "acme", pathStyle: false)
        let client = S3Client(http: SharedHTTPClient.client,
                              configuration: S3Configuration(endpoint: endpoint, region: "eu-central-1", credentials: credentials, prefix: "p"))
        let request = try client.prepare(S3Request(method: .GET, key: "p/k"), date: Self.may24)
        #expect(request.headers.first(name: "x-amz-security-token") == "token-value")
        let authorization = try #require(request.headers.first(name: "authorization"))
        #expect(authorization.contains("x-amz-security-token"))
        #expect(!authorization.contains("very-secret") && !authorization.contains("token-value"))
        #expect(!"\(credentials)".contains("very-secret") && !"\(credentials)".contains("token-value"))
        #expect(request.url.absoluteString == "https://acme.s3.eu-central-1.amazonaws.com/p/k")
        #expect(request.headers.first(name: "x-amz-content-sha256") == SigV4Signer.emptyPayloadHash)
    }
}
