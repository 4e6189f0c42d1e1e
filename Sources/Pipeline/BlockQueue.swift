import Foundation

/// A bounded first-in first-out queue between threads. `pop` waits for an item
/// and returns nil once the queue is closed and drained; `push` waits for room
/// and returns false once the queue is closed.
public final class BlockQueue<Element>: @unchecked Sendable {
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int
    private var closed = false
    private let condition = NSCondition()

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    @discardableResult
    public func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed, items.count - head >= capacity { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while !closed, head == items.count { condition.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 64, head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// No more pushes; waiting threads wake up. Items already queued can still be popped.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
