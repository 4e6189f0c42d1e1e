import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat key list`.
struct KeyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List key slots and key generations.")

    @OptionGroup var policyOption: PolicyOption

    @Flag(name: .long, help: "Print one JSON document: {\"slots\", \"generations\", \"current_generation\", \"retired\"}.")
    var json = false

    func run() async throws {
        try await runCommand {
            let keys = try KeyManagement(policy: try policyOption.load(), warn: Console.warning)
            let listing = try keys.list()
            if json {
                try Console.json(KeyListReport(listing))
            } else {
                Console.line("key slots:")
                for slot in listing.slots {
                    let marker = slot.id == listing.unlockedSlot ? "  (unlocked this run)" : ""
                    Console.line("  \(slot.id)  \(slot.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))  \(slot.kdf.summary)  created \(slot.createdAt.formatted(.iso8601))\(marker)")
                }
                Console.line("key generations:")
                for generation in listing.generations {
                    let marker = generation.id == listing.current ? "  current" : ""
                    Console.line("  \(generation.id)  created \(generation.createdAt.formatted(.iso8601))\(marker)")
                }
                for retired in listing.retired {
                    Console.line("  \(retired.id)  retired \(retired.retiredAt.formatted(.iso8601))")
                }
            }
            return .success
        }
    }
}

struct KeyListReport: Encodable {
    struct Generation: Encodable {
        let id: UInt32
        let createdAt: Date
        let current: Bool
        enum CodingKeys: String, CodingKey { case id, current; case createdAt = "created_at" }
    }
    struct Retired: Encodable {
        let id: UInt32
        let retiredAt: Date
        enum CodingKeys: String, CodingKey { case id; case retiredAt = "retired_at" }
    }

    let slots: [SlotReport]
    let generations: [Generation]
    let currentGeneration: UInt32
    let retired: [Retired]

    enum CodingKeys: String, CodingKey {
        case slots, generations, retired
        case currentGeneration = "current_generation"
    }

    init(_ listing: KeyManagement.Listing) {
        slots = listing.slots.map(SlotReport.init)
        generations = listing.generations.map { Generation(id: $0.id, createdAt: $0.createdAt, current: $0.id == listing.current) }
        currentGeneration = listing.current
        retired = listing.retired.map { Retired(id: $0.id, retiredAt: $0.retiredAt) }
    }
}
