import Foundation
import ServiceDefaults
import Testing

@Suite struct UUIDRandomTests {
    @Test func isAVersion4RFC4122UUIDAndNeverRepeats() {
        let ids = (0..<1_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            let text = id.uuidString
            #expect(Array(text)[14] == "4")
            #expect("89AB".contains(Array(text)[19]))
        }
    }
}
