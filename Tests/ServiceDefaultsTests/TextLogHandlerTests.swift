import Logging
import ServiceDefaults
import Synchronization
import Testing

@Suite struct TextLogHandlerTests {
    @Test func writesTimeLevelLabelSortedMetadataAndMessage() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "basket-api") { label in
            TextLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
        }
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("basket saved", metadata: ["items": "2"])
        logger.debug("not at info level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let parts = written[0].split(separator: " ", maxSplits: 2).map(String.init)
        #expect(parts.count == 3)
        #expect(parts[0].hasSuffix("Z") && parts[0].contains("T"))
        #expect(parts[1] == "info")
        #expect(parts.last == "basket-api: items=2 request.id=r-1 basket saved")
    }

    @Test func eventMetadataWinsOverTheLoggersOwn() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "x") { label in TextLogHandler(label: label) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "key"] = "logger"
        logger.warning("m", metadata: ["key": "event"])
        #expect(lines.withLock { $0 }.first?.hasSuffix("warning x: key=event m") == true)
    }
}
