import Foundation
import LifeboatTestSupport
import Repository
@testable import S3
import Testing

/// Where credentials and the region come from, and that no message shows a secret.
@Suite struct S3CredentialTests {
    let standard = ["AWS_ACCESS_KEY_ID": "AKIASTANDARD", "AWS_SECRET_ACCESS_KEY": "standard-secret", "AWS_SESSION_TOKEN": "standard-token"]

    @Test func policyNamedVariablesComeFirst() throws {
        let resolver = S3CredentialResolver(accessKeyEnv: "SHOP_S3_KEY", secretKeyEnv: "SHOP_S3_SECRET", sessionTokenEnv: "SHOP_S3_TOKEN")
        let environment = standard.merging(["SHOP_S3_KEY": "AKIASHOP", "SHOP_S3_SECRET": "shop-secret", "SHOP_S3_TOKEN": "shop-token"]) { $1 }
        #expect(try resolver.resolve(environment: environment, home: nil)
            == S3Credentials(accessKeyID: "AKIASHOP", secretAccessKey: "shop-secret", sessionToken: "shop-token"))
    }

    @Test func aNamedVariableThatIsUnsetIsAnErrorNamingIt() throws {
        let resolver = S3CredentialResolver(accessKeyEnv: "SHOP_S3_KEY", secretKeyEnv: "SHOP_S3_SECRET")
        let environment = standard.merging(["SHOP_S3_KEY": "AKIASHOP", "SHOP_S3_SECRET": ""]) { $1 }
        let error = try #require(throws: S3ConfigurationError.self) { try resolver.resolve(environment: environment, home: nil) }
        #expect(error == .missingVariable("SHOP_S3_SECRET", purpose: "secret access key"))
        let message = error.localizedDescription
        #expect(message.contains("SHOP_S3_SECRET") && !message.contains("AKIASHOP") && !message.contains("standard-secret"))
    }

    @Test func standardVariablesComeNext() throws {
        #expect(try S3CredentialResolver().resolve(environment: standard, home: nil)
            == S3Credentials(accessKeyID: "AKIASTANDARD", secretAccessKey: "standard-secret", sessionToken: "standard-token"))
        #expect(throws: S3ConfigurationError.missingVariable("AWS_SECRET_ACCESS_KEY", purpose: "secret access key")) {
            try S3CredentialResolver().resolve(environment: ["AWS_ACCESS_KEY_ID": "AKIAONLY"], home: nil)
        }
    }

    @Test func theSharedCredentialsFileComesLast() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try FileManager.default.createDirectory(atPath: home.appending(".aws"), withIntermediateDirectories: true)
        try """
        # lifeboat's test profiles
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        [backup]
        aws_access_key_id=AKIABACKUP
        aws_secret_access_key=backup-secret
        aws_session_token = backup-token
        ; a comment
        [half]
        aws_access_key_id = AKIAHALF
        """.write(toFile: home.appending(".aws/credentials"), atomically: true, encoding: .utf8)
        let resolver = S3CredentialResolver()
        #expect(try resolver.resolve(environment: [:], home: home.path)
            == S3Credentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "default-secret"))
        #expect(try resolver.resolve(environment: ["AWS_PROFILE": "backup", "AWS_SESSION_TOKEN": "ignored"], home: home.path)
            == S3Credentials(accessKeyID: "AKIABACKUP", secretAccessKey: "backup-secret", sessionToken: "backup-token"))
        #expect(throws: S3ConfigurationError.incompleteProfile(credentialsFile: home.appending(".aws/credentials"), profile: "half",
                                                               missing: "aws_secret_access_key")) {
            try resolver.resolve(environment: ["AWS_PROFILE": "half"], home: home.path)
        }
        try "[elsewhere]\naws_access_key_id = AKIAELSEWHERE\naws_secret_access_key = elsewhere-secret\n"
            .write(toFile: home.appending("other"), atomically: true, encoding: .utf8)
        #expect(try resolver.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": home.appending("other"), "AWS_PROFILE": "elsewhere"],
                                     home: home.path).accessKeyID == "AKIAELSEWHERE")
        #expect(throws: S3ConfigurationError.noCredentials(credentialsFile: home.appending("none/.aws/credentials"), profile: "default")) {
            try resolver.resolve(environment: [:], home: home.appending("none"))
        }
    }

    /// `repository.s3.credentials_file`: what archive_command reads, whatever
    /// the server's environment; refused when others may read it.
    @Test func aPolicyNamedCredentialsFileBeatsTheEnvironment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = dir.appending("shop.s3")
        try "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\n[archive]\naws_access_key_id = AKIAARCHIVE\naws_secret_access_key = archive-secret\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let named = S3CredentialResolver(credentialsFile: file)
        #expect(try named.resolve(environment: standard, home: nil) == S3Credentials(accessKeyID: "AKIAFILE", secretAccessKey: "file-secret"))
        #expect(try S3CredentialResolver(credentialsFile: file, profile: "archive").resolve(environment: ["AWS_PROFILE": "default"], home: nil)
            == S3Credentials(accessKeyID: "AKIAARCHIVE", secretAccessKey: "archive-secret"))
        #expect(throws: S3ConfigurationError.missingProfile(credentialsFile: file, profile: "other")) {
            try S3CredentialResolver(credentialsFile: file, profile: "other").resolve(environment: [:], home: nil)
        }
        #expect(throws: S3ConfigurationError.missingCredentialsFile(dir.appending("none"))) {
            try S3CredentialResolver(credentialsFile: dir.appending("none")).resolve(environment: standard, home: nil)
        }
        chmod(file, 0o640)
        let error = try #require(throws: S3ConfigurationError.self) { try named.resolve(environment: standard, home: nil) }
        #expect(error == .unsafeCredentialsFile(file, mode: 0o640))
        #expect(error.localizedDescription.contains("chmod 600 \(file)") && !error.localizedDescription.contains("file-secret"))
    }

    @Test func regionFromPolicyThenEnvironmentThenUSEast1() {
        #expect(S3Configuration.region(policy: "eu-central-1", environment: ["AWS_REGION": "us-west-2"]) == "eu-central-1")
        #expect(S3Configuration.region(policy: nil, environment: ["AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "ap-south-1"]) == "us-west-2")
        #expect(S3Configuration.region(policy: nil, environment: ["AWS_DEFAULT_REGION": "ap-south-1"]) == "ap-south-1")
        #expect(S3Configuration.region(policy: nil, environment: [:]) == "us-east-1")
    }

    @Test func addressing() throws {
        let aws = try S3Endpoint(endpoint: nil, region: "eu-central-1", bucket: "acme-backups", pathStyle: false)
        #expect(aws.authority == "acme-backups.s3.eu-central-1.amazonaws.com")
        #expect(aws.path(for: "postgres/lms/header") == "/postgres/lms/header")
        let minio = try S3Endpoint(endpoint: "https://minio.internal:9000", region: "us-east-1", bucket: "acme", pathStyle: true)
        #expect(minio.authority == "minio.internal:9000")
        #expect(minio.path(for: "k") == "/acme/k")
        #expect(try S3Endpoint(endpoint: "http://127.0.0.1:9000", region: "us-east-1", bucket: "acme", pathStyle: false).pathStyle,
                "an address cannot carry a bucket label")
        #expect(try S3Endpoint(endpoint: "https://s3.example.com", region: "us-east-1", bucket: "acme.backups", pathStyle: false).pathStyle,
                "a dotted bucket would not match the TLS certificate")
        #expect(throws: S3ConfigurationError.self) {
            try S3Endpoint(endpoint: "https://s3.example.com/acme", region: "us-east-1", bucket: "acme", pathStyle: false)
        }
        // Plain HTTP to another machine signs every body; TLS and loopback do not need to.
        let credentials = S3Credentials(accessKeyID: "a", secretAccessKey: "s")
        #expect(S3Configuration(endpoint: minio, region: "us-east-1", credentials: credentials, prefix: "").signsPayloads == false)
        let plain = try S3Endpoint(endpoint: "http://minio.internal:9000", region: "us-east-1", bucket: "acme", pathStyle: true)
        #expect(S3Configuration(endpoint: plain, region: "us-east-1", credentials: credentials, prefix: "").signsPayloads)
    }
}

/// The shared credentials file, used for real requests.
@Suite(.moto) struct S3SharedCredentialsFileTests {
    @Test func aStorageWithCredentialsFromTheFileWorks() throws {
        let moto = try MotoServer.require()
        let home = try TemporaryDirectory()
        defer { home.remove() }
        try "[default]\naws_access_key_id = \(MotoServer.credentials.accessKeyID)\naws_secret_access_key = \(MotoServer.credentials.secretAccessKey)\n"
            .write(toFile: home.appending("credentials"), atomically: true, encoding: .utf8)
        let credentials = try S3CredentialResolver().resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": home.appending("credentials")], home: nil)
        var configuration = try moto.configuration(bucket: try moto.makeBucket(), prefix: "repo")
        configuration.credentials = credentials
        let storage = S3Storage(configuration: configuration)
        try storage.put("lms/header", bytes: [1, 2])
        #expect(try storage.get("lms/header") == [1, 2])
    }
}
