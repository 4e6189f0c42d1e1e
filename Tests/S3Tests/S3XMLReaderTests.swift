@testable import S3
import Testing

/// The XML reader S3 responses go through: what S3 sends is read exactly,
/// and anything not well-formed is refused rather than half-read.
@Suite struct S3XMLReaderTests {
    @Test func readsAListingWithEntitiesCDATAAndComments() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- a listing -->
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name>
              <IsTruncated>true</IsTruncated>
              <NextContinuationToken>1&#x2F;a&#47;b==</NextContinuationToken>
              <Contents><Key>lms/wal/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; é</Key><Size>16777216</Size></Contents>
              <Contents><Key><![CDATA[lms/<raw>&]]></Key><Size>1</Size><Owner/></Contents>
            </ListBucketResult>
            """
        let root = try #require(S3XMLElement.parse(Array(document.utf8)))
        #expect(root.name == "ListBucketResult")
        #expect(root.value("IsTruncated") == "true")
        #expect(root.value("NextContinuationToken") == "1/a/b==")
        #expect(root.all("Contents").compactMap { $0.value("Key") } == ["lms/wal/a&b <c> \"d\" 'e' é", "lms/<raw>&"])
        #expect(root.all("Contents").compactMap { $0.value("Size") } == ["16777216", "1"])
        #expect(root.all("Contents")[1].child("Owner")?.children.isEmpty == true)
    }

    @Test(arguments: [
        "",
        "<a>",
        "<a><b></a></b>",
        "<a></b>",
        "<a>x</a><b/>",
        "<a>x</a>trailing",
        "<a>&unknown;</a>",
        "<a>&#xFFFFFFFF;</a>",
        "<a>&amp</a>",
        "<a b=c></a>",
        "<a b=\"c></a>",
        "<a><!-- open </a>",
        "<a><![CDATA[ open </a>",
        "<?xml version=\"1.0\"",
        "<a>\u{FF}</a>",
    ])
    func refusesWhatIsNotWellFormed(_ document: String) {
        var bytes = Array(document.utf8)
        if document == "<a>\u{FF}</a>" { bytes = Array("<a>".utf8) + [0xFF] + Array("</a>".utf8) }
        #expect(S3XMLElement.parse(bytes) == nil)
    }
}
