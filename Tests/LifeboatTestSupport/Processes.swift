import ExternalProgram
import Foundation

/// Runs `executable` to completion and returns its (now unused) pid.
public func spawnAndReap(_ executable: String) throws -> Int32 {
    var pid: pid_t = 0
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, executable, nil, nil, argv, environ) == 0 else { throw POSIXError(.ECHILD) }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return pid
}
