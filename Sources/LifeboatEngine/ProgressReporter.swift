/// Where long operations report what they are doing. The engine never prints;
/// the command line renders this as a progress bar on a terminal and stays
/// quiet under cron.
public protocol ProgressReporter: AnyObject {
    /// A new step, with the bytes it is expected to move when known (for an ETA).
    func begin(_ step: String, expectedBytes: Int64?)
    /// Bytes moved so far in the current step.
    func advance(to bytes: Int64)
    /// The current step is done.
    func end()
    /// Something the operator should know that is not an error.
    func warning(_ message: String)
}
