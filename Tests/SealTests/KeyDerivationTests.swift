import Seal
import Testing

/// Known-answer tests: HKDF from RFC 5869 appendix A, scrypt and
/// PBKDF2-HMAC-SHA256 from RFC 7914 sections 11 and 12.
@Suite struct KeyDerivationTests {
    @Test func hkdfRFC5869TestCase1() throws {
        let ikm = SecretKey([UInt8](repeating: 0x0b, count: 22))
        let salt = try #require([UInt8](hex: "000102030405060708090a0b0c"))
        let info = try #require([UInt8](hex: "f0f1f2f3f4f5f6f7f8f9"))
        let okm = try KeyDerivation.hkdfSHA256(key: ikm, salt: salt, info: info, length: 42)
        #expect(okm.bytes.hexString == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test func hkdfRFC5869TestCase3EmptySaltAndInfo() throws {
        let ikm = SecretKey([UInt8](repeating: 0x0b, count: 22))
        let okm = try KeyDerivation.hkdfSHA256(key: ikm, salt: [], info: [], length: 42)
        #expect(okm.bytes.hexString == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    @Test func scryptRFC7914EmptyPassword() throws {
        let key = try KeyDerivation.scrypt(passphrase: [], salt: [], n: 16, r: 1, p: 1, length: 64)
        #expect(key.bytes.hexString == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
    }

    @Test func scryptRFC7914Password() throws {
        let key = try KeyDerivation.scrypt(passphrase: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        #expect(key.bytes.hexString == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test func pbkdf2RFC7914Section11() throws {
        let key = try KeyDerivation.pbkdf2SHA256(passphrase: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1, length: 64)
        #expect(key.bytes.hexString == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test func scryptRejectsCostThatIsNotAPowerOfTwo() {
        #expect(throws: SealError.self) { try KeyDerivation.scrypt(passphrase: [1], salt: [1], n: 1000, r: 8, p: 1, length: 32) }
    }

    @Test func sha256OfABC() throws {
        #expect(try SHA256Hasher.digest(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func randomBytesDiffer() throws {
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && a != b)
    }
}
