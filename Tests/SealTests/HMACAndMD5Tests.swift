import Seal
import Testing

@Suite struct HMACAndMD5Tests {
    /// RFC 4231, test cases 1 and 2.
    @Test func hmacSHA256MatchesRFC4231() throws {
        let key1 = [UInt8](repeating: 0x0b, count: 20)
        #expect(try HMACSHA256.authenticate(key: key1, message: "Hi There").hexString
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(try HMACSHA256.authenticate(key: Array("Jefe".utf8), message: "what do ya want for nothing?").hexString
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// RFC 1321's test suite.
    @Test func md5MatchesRFC1321() throws {
        #expect(try MD5.digest([]).hexString == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(try MD5.digest(Array("abc".utf8)).hexString == "900150983cd24fb0d6963f7d28e17f72")
    }
}
