import ExternalProgram
import Foundation
import LifeboatTestSupport
import Testing

/// An `s3://` repository through the command line, against moto: the policy's
/// `repository.s3` keys, credentials from the variables it names, exit 2
/// when one is missing.
@Suite(.moto) struct S3RepositoryCommandTests {
    static let awsVariables: Set<String> = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                                            "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION"]

    struct Setup {
        let dir: TemporaryDirectory
        let policy: String
        let environment: [String: String] = [
            "LB_PASS": "correct horse battery",
            "LB_S3_KEY": MotoServer.credentials.accessKeyID,
            "LB_S3_SECRET": MotoServer.credentials.secretAccessKey,
        ]

        /// `keys` are the policy's credential settings: by default, the variables in `environment`.
        init(_ moto: MotoServer, keys: String = "access_key_env: LB_S3_KEY, secret_key_env: LB_S3_SECRET") throws {
            dir = try TemporaryDirectory()
            policy = dir.appending("lms.yaml")
            let text = """
                name: lms
                postgres: {databases: [lms]}
                repository:
                  url: s3://\(try moto.makeBucket())/postgres/
                  s3: {endpoint: "\(moto.endpoint)", region: us-east-1, path_style: true, \(keys)}
                encryption: {key_file: \(dir.appending("lms.key")), passphrase_env: LB_PASS}
                """
            try Data(text.utf8).write(to: URL(fileURLWithPath: policy))
        }

        func lifeboat(_ arguments: [String], environment: [String: String]? = nil) throws -> ProgramResult {
            try LifeboatBinary.run(arguments + ["--policy", policy], environment: environment ?? self.environment,
                                   unsetEnvironment: S3RepositoryCommandTests.awsVariables)
        }
    }

    @Test func initAndKeyListWorkOnAnS3Repository() throws {
        let s = try Setup(try MotoServer.require())
        defer { s.dir.remove() }
        let first = try s.lifeboat(["init"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.output.contains("initialised repository s3://lifeboat-"))
        #expect(first.output.contains("/postgres (id "))
        let second = try s.lifeboat(["init"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("already a lifeboat repository"))
        let list = try s.lifeboat(["key", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.output.contains("\"key-file\"") && list.output.contains("\"passphrase\""))
    }

    /// `repository.s3.credentials_file`: enough without any variable, and
    /// refused (exit 2) once others may read it, as a key file is.
    @Test func aPolicyNamedCredentialsFileWorksAndMustBePrivate() throws {
        let secrets = try TemporaryDirectory()
        defer { secrets.remove() }
        let file = secrets.appending("lms.s3-credentials")
        try Data("[ci]\naws_access_key_id = \(MotoServer.credentials.accessKeyID)\naws_secret_access_key = \(MotoServer.credentials.secretAccessKey)\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        chmod(file, 0o600)
        let s = try Setup(try MotoServer.require(), keys: "credentials_file: \(file), profile: ci")
        defer { s.dir.remove() }
        let passphraseOnly = ["LB_PASS": "correct horse battery"]
        let created = try s.lifeboat(["init"], environment: passphraseOnly)
        #expect(created.status == 0, "\(created.stderr)")
        chmod(file, 0o644)
        let refused = try s.lifeboat(["key", "list"], environment: passphraseOnly)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("has mode 644") && refused.stderr.contains("chmod 600 \(file)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(MotoServer.credentials.secretAccessKey))
    }

    @Test func aMissingCredentialExits2NamingTheVariable() throws {
        let s = try Setup(try MotoServer.require())
        defer { s.dir.remove() }
        var environment = s.environment
        environment["LB_S3_SECRET"] = nil
        let result = try s.lifeboat(["key", "list"], environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains("LB_S3_SECRET"))
        #expect(!result.stderr.contains(MotoServer.credentials.accessKeyID))
    }
}
