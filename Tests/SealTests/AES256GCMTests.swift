import Seal
import Testing

/// Known-answer tests from the GCM specification (McGrew & Viega, "The Galois/Counter
/// Mode of Operation", test cases 13–16, AES-256), as used by NIST's CAVP.
@Suite struct AES256GCMTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: String
        let nonce: String
        let plaintext: String
        let aad: String
        let ciphertext: String
        let tag: String
        var testDescription: String { name }
    }

    static let feffe = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"
    static let plaintext60 = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
    static let vectors: [Vector] = [
        Vector(name: "test case 13", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: "", aad: "", ciphertext: "", tag: "530f8afbc74536b9a963b4f1c4cb738b"),
        Vector(name: "test case 14", key: String(repeating: "00", count: 32), nonce: String(repeating: "00", count: 12),
               plaintext: String(repeating: "00", count: 16), aad: "",
               ciphertext: "cea7403d4d606b6e074ec5d3baf39d18", tag: "d0d1c8a799996bf0265b98b5d48ab919"),
        Vector(name: "test case 15", key: feffe, nonce: "cafebabefacedbaddecaf888",
               plaintext: plaintext60 + "1aafd255", aad: "",
               ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
               tag: "b094dac5d93471bdec1a502270e3cc6c"),
        Vector(name: "test case 16", key: feffe, nonce: "cafebabefacedbaddecaf888",
               plaintext: plaintext60, aad: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
               ciphertext: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
               tag: "76fc6ece0f4e1768cddf8853bb2d551b"),
    ]

    @Test(arguments: vectors)
    func sealMatchesPublishedVector(_ v: Vector) throws {
        let key = SecretKey(try #require([UInt8](hex: v.key)))
        let sealed = try AES256GCM.seal(key: key, nonce: try #require([UInt8](hex: v.nonce)),
                                        aad: try #require([UInt8](hex: v.aad)), plaintext: try #require([UInt8](hex: v.plaintext)))
        #expect(sealed.hexString == v.ciphertext + v.tag)
    }

    @Test(arguments: vectors)
    func openRecoversPlaintext(_ v: Vector) throws {
        let key = SecretKey(try #require([UInt8](hex: v.key)))
        let opened = try AES256GCM.open(key: key, nonce: try #require([UInt8](hex: v.nonce)),
                                        aad: try #require([UInt8](hex: v.aad)), sealed: try #require([UInt8](hex: v.ciphertext + v.tag)))
        #expect(opened.hexString == v.plaintext)
    }

    @Test func alteredCiphertextTagOrAADFailsAuthentication() throws {
        let v = Self.vectors[3]
        let key = SecretKey(try #require([UInt8](hex: v.key)))
        let nonce = try #require([UInt8](hex: v.nonce))
        let aad = try #require([UInt8](hex: v.aad))
        let sealed = try #require([UInt8](hex: v.ciphertext + v.tag))
        for index in [0, 30, sealed.count - 1] {
            var flipped = sealed
            flipped[index] ^= 0x01
            #expect(throws: SealError.authenticationFailed) { try AES256GCM.open(key: key, nonce: nonce, aad: aad, sealed: flipped) }
        }
        var otherAAD = aad
        otherAAD[0] ^= 0x80
        #expect(throws: SealError.authenticationFailed) { try AES256GCM.open(key: key, nonce: nonce, aad: otherAAD, sealed: sealed) }
        #expect(throws: SealError.authenticationFailed) { try AES256GCM.open(key: key, nonce: nonce, aad: aad, sealed: Array(sealed.dropLast())) }
        let otherKey = SecretKey([UInt8](repeating: 7, count: 32))
        #expect(throws: SealError.authenticationFailed) { try AES256GCM.open(key: otherKey, nonce: nonce, aad: aad, sealed: sealed) }
    }

    @Test func wrongKeyLengthIsRefused() {
        #expect(throws: SealError.invalidLength(what: "AES-256-GCM key", expected: 32, actual: 16)) {
            try AES256GCM(key: SecretKey([UInt8](repeating: 0, count: 16)), direction: .seal)
        }
    }
}
