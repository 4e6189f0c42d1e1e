import AsyncHTTPClient
import Foundation
import LifeboatTestSupport
import NIOPosix
import Repository
@testable import S3
import Testing

/// Virtual-hosted addressing (`bucket.host/key`) for real: the client's own
/// HTTP proxy setting tunnels `http://BUCKET.s3.lifeboat.test/…` through the
/// test proxy to moto, which takes the bucket from the Host header, so no DNS
/// name is needed.
@Suite(.moto) struct S3AddressingTests {
    @Test func virtualHostedAddressingPassesTheStorageSuite() throws {
        let moto = try MotoServer.require()
        let bucket = try moto.makeBucket()
        let proxy = try FaultProxy(upstreamPort: moto.port)
        defer { proxy.stop() }
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                              configuration: HTTPClient.Configuration(proxy: .server(host: "127.0.0.1", port: proxy.port)))
        defer { try? http.syncShutdown() }
        let endpoint = try S3Endpoint(endpoint: "http://s3.lifeboat.test:\(moto.port)", region: "us-east-1", bucket: bucket, pathStyle: false)
        #expect(!endpoint.pathStyle)
        #expect(endpoint.authority == "\(bucket).s3.lifeboat.test:\(moto.port)")
        var configuration = try moto.configuration(bucket: bucket, prefix: "virtual")
        configuration.endpoint = endpoint
        let storage = S3Storage(configuration: configuration, http: http)
        try StorageSuite.run(storage)
        // The objects are where path-style addressing finds them too.
        let pathStyle = S3Storage(configuration: try moto.configuration(bucket: bucket, prefix: "virtual"))
        #expect(try pathStyle.get("suite/once") == [1, 2, 3])
        #expect(proxy.requests.count > 20)
    }
}
