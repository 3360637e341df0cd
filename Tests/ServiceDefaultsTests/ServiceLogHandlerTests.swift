import Foundation
import Logging
import ServiceDefaults
import Synchronization
import Testing

/// The lines a test's handler wrote.
private final class WrittenLines: Sendable {
    private let lines = Mutex<[String]>([])
    init() {}
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite struct ServiceLogHandlerTests {
    /// A logger whose lines (in `format`) are collected in `lines`.
    private func logger(_ format: LogFormat, into lines: WrittenLines) -> Logger {
        Logger(label: "basket-api") { label in ServiceLogHandler(label: label, format: format, write: lines.append) }
    }

    @Test func writesTextLinesWithTimeLevelLabelSortedMetadataAndMessage() {
        let lines = WrittenLines()
        var logger = logger(.text, into: lines)
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("basket saved", metadata: ["items": "2"])
        logger.debug("not at info level")
        let written = lines.all
        #expect(written.count == 1)
        let parts = written[0].split(separator: " ", maxSplits: 2).map(String.init)
        #expect(parts.count == 3)
        #expect(parts[0].hasSuffix("Z") && parts[0].contains("T"))
        #expect(parts[1] == "info")
        #expect(parts.last == "basket-api: items=2 request.id=r-1 basket saved")
    }

    @Test func writesOneJSONObjectPerLineWithMetadata() throws {
        let lines = WrittenLines()
        var logger = logger(.json, into: lines)
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("basket saved", metadata: ["items": "2", "tags": ["a", "b"]])
        logger.debug("not at info level")
        let written = lines.all
        #expect(written.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "basket-api")
        #expect(object["message"] as? String == "basket saved")
        #expect(object["request.id"] as? String == "r-1")
        #expect(object["items"] as? String == "2")
        #expect(object["tags"] as? [String] == ["a", "b"])
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
        #expect(!written[0].contains("\n"))
    }

    @Test func eventMetadataWinsOverTheLoggersOwn() {
        let lines = WrittenLines()
        var logger = logger(.text, into: lines)
        logger[metadataKey: "key"] = "logger"
        logger.warning("m", metadata: ["key": "event"])
        #expect(lines.all.first?.hasSuffix("warning basket-api: key=event m") == true)
    }
}
