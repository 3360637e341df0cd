import Foundation
import Logging
import ServiceDefaults
import Synchronization
import Testing

@Suite struct JSONLogHandlerTests {
    @Test func writesOneJSONObjectPerLineWithMetadata() throws {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "basket-api") { label in
            JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("basket saved", metadata: ["items": "2", "tags": ["a", "b"]])
        logger.debug("not at info level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "basket-api")
        #expect(object["message"] as? String == "basket saved")
        #expect(object["request.id"] as? String == "r-1")
        #expect(object["items"] as? String == "2")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect((object["time"] as? String)?.contains("T") == true)
        #expect(!written[0].contains("\n"))
    }
}
