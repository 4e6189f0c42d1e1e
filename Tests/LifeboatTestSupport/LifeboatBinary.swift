import ExternalProgram
import Foundation

/// The `lifeboat` executable built next to the test bundle, run as an operator
/// would run it: exit code, stdout and stderr.
public enum LifeboatBinary {
    /// Path of the built binary (same build directory as the running tests).
    public static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("lifeboat").path
    }

    /// Runs `lifeboat` with `arguments` (as `user` when the tests run as root);
    /// never throws for a non-zero exit.
    public static func run(_ arguments: [String], environment: [String: String] = [:], unsetEnvironment: Set<String> = [],
                           user: String? = nil) throws -> ProgramResult {
        try ProgramRunner.run(Program(path, arguments, environment: environment, unsetEnvironment: unsetEnvironment, user: user), allowFailure: true)
    }
}
