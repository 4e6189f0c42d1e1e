import ExternalProgram
import Foundation
import LifeboatTestSupport
import Testing

/// A bucket of its own on the suite's moto for one test's repository; its keys
/// in a credentials file owned by the server's OS user, mode 0600 — what
/// `archive_command` and `restore_command` read through
/// `repository.s3.credentials_file`, as in production; and the `aws` command
/// line to look at the bucket without lifeboat.
struct S3TestRepository {
    /// Where the policy tells lifeboat to find the keys.
    enum Credentials {
        /// `credentials_file` and `profile`.
        case file
        /// `access_key_env` and `secret_key_env`, set in `S3TestRepository.environment`.
        case environment
    }

    let moto: MotoServer
    let bucket: String
    /// The repository's key prefix in the bucket.
    let prefix = "backups/postgres"
    let dir: TemporaryDirectory

    var credentialsFile: String { dir.appending("s3-credentials") }
    var url: String { "s3://\(bucket)/\(prefix)" }

    /// The variables a `.environment` policy names, holding moto's credentials.
    static let environment = ["LB_S3_KEY": MotoServer.credentials.accessKeyID, "LB_S3_SECRET": MotoServer.credentials.secretAccessKey]

    init(_ moto: MotoServer) throws {
        self.moto = moto
        bucket = try moto.makeBucket()
        dir = try TemporaryDirectory(owner: OSUser.serverUser)
        let text = "[lifeboat]\naws_access_key_id = \(MotoServer.credentials.accessKeyID)\n"
            + "aws_secret_access_key = \(MotoServer.credentials.secretAccessKey)\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: credentialsFile))
        chmod(credentialsFile, 0o600)
        if let user = OSUser.serverUser { try OSUser.chown(credentialsFile, to: user) }
    }

    /// The policy's `repository:` lines for this bucket, reached at `endpoint`
    /// (moto's own, or a proxy in front of it).
    func policySection(_ credentials: Credentials = .file, endpoint: String? = nil) -> String {
        let keys = switch credentials {
        case .file: "credentials_file: \(credentialsFile), profile: lifeboat"
        case .environment: "access_key_env: LB_S3_KEY, secret_key_env: LB_S3_SECRET"
        }
        return "  url: \(url)\n  s3: {endpoint: \"\(endpoint ?? moto.endpoint)\", region: us-east-1, path_style: true, \(keys)}"
    }

    /// Runs the AWS command line against moto, with moto's credentials.
    func aws(_ arguments: [String]) throws -> ProgramResult {
        let executable = try #require(ExecutableLocator.onPath("aws"), "the aws command line is not on PATH")
        let environment = ["AWS_ACCESS_KEY_ID": MotoServer.credentials.accessKeyID, "AWS_SECRET_ACCESS_KEY": MotoServer.credentials.secretAccessKey,
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null"]
        return try ProgramRunner.run(Program(executable, ["--endpoint-url", moto.endpoint] + arguments, environment: environment,
                                             unsetEnvironment: ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION"]),
                                     allowFailure: true)
    }

    /// Repository keys (the prefix taken off) that `aws s3api list-objects-v2` lists.
    func keys() throws -> [String] {
        try listing(["s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix + "/", "--query", "Contents[].Key"])
    }

    /// Repository keys of unfinished multipart uploads (`aws s3api list-multipart-uploads`).
    func unfinishedUploads() throws -> [String] {
        try listing(["s3api", "list-multipart-uploads", "--bucket", bucket, "--prefix", prefix + "/", "--query", "Uploads[].Key"])
    }

    private func listing(_ arguments: [String]) throws -> [String] {
        let result = try aws(arguments + ["--output", "json"])
        try #require(result.status == 0, "aws \(arguments.joined(separator: " ")): \(result.stderr)")
        let keys = try JSONDecoder().decode([String]?.self, from: result.stdout) ?? []
        return keys.map { String($0.dropFirst(prefix.count + 1)) }.sorted()
    }

    func remove() { dir.remove() }
}
