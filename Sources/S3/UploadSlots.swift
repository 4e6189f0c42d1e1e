import Dispatch

/// A counting semaphore over part uploads in flight, shared by every put of
/// one storage, so that memory stays bounded however many puts run at once.
final class UploadSlots: Sendable {
    private let semaphore: DispatchSemaphore

    init(_ count: Int) {
        semaphore = DispatchSemaphore(value: count)
    }

    /// Blocks until a slot is free and takes it.
    func acquire() { semaphore.wait() }

    /// Gives a slot back.
    func release() { semaphore.signal() }
}
