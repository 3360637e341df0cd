import Foundation
import Hummingbird
import ServiceDefaults
import Testing

@testable import ModelWorker

/// The worker's rules without a server: the recommendation blend, the search's input checks and
/// the stored vector format.
@Suite struct SearchRulesTests {
    typealias Item = Recommendations.Item
    typealias Similar = Recommendations.Similar

    let neighbours = [Similar(productId: 2, score: 0.9), Similar(productId: 7, score: 0.8), Similar(productId: 1, score: 0.7), Similar(productId: 8, score: 0.6)]

    @Test func aProductWithFewOrdersGetsItsBoughtTogetherFirstThenNeighboursNotAlreadyListed() {
        let blend = RecommendationBlend.blend(
            productId: 1, orders: 2, boughtTogether: [Item(productId: 7, count: 2), Item(productId: 3, count: 1)], neighbours: neighbours, limit: 4)
        #expect(blend.recommended == [7, 3, 2, 8])
        #expect(blend.similar == [Similar(productId: 2, score: 0.9), Similar(productId: 8, score: 0.6)])
    }

    @Test func aProductWithoutOrdersGetsNeighboursUpToTheLimit() {
        let blend = RecommendationBlend.blend(productId: 5, orders: 0, boughtTogether: [], neighbours: neighbours, limit: 2)
        #expect(blend.recommended == [2, 7])
        #expect(blend.similar.map(\.productId) == [2, 7])
    }

    @Test func fromFiveOrdersOnBoughtTogetherCountsAloneDecide() {
        let together = [Item(productId: 7, count: 4), Item(productId: 3, count: 1)]
        let blend = RecommendationBlend.blend(productId: 1, orders: RecommendationBlend.fewOrders, boughtTogether: together, neighbours: neighbours, limit: 4)
        #expect(blend.recommended == [7, 3])
        #expect(blend.similar.isEmpty)
        let four = RecommendationBlend.blend(productId: 1, orders: RecommendationBlend.fewOrders - 1, boughtTogether: together, neighbours: neighbours, limit: 4)
        #expect(four.recommended == [7, 3, 2, 8])
    }

    @Test func searchQueriesAreCheckedAndEachProblemNamed() throws {
        func problem(_ query: [String: String]) -> [String: [String]]? {
            do {
                _ = try SearchQuery(Parameters(query.map { (key: Substring($0.key), value: Substring($0.value)) }))
                return nil
            } catch {
                return error.errors
            }
        }
        #expect(problem(["text": "warm hat"]) == nil)
        #expect(try SearchQuery(Parameters([("text", "warm hat")])) == SearchQuery(Parameters([("text", "warm hat"), ("limit", "10")])))
        #expect(problem(["text": "hat", "limit": "1000"]) == nil)
        #expect(problem(["text": String(repeating: "ß", count: 500)]) == nil)
        #expect(problem([:])?["text"] == ["is required"])
        #expect(problem(["text": ""])?["text"] == ["must not be empty or only white space"])
        #expect(problem(["text": " \t\n"])?["text"] == ["must not be empty or only white space"])
        #expect(problem(["text": String(repeating: "a", count: 501)])?["text"] == ["must be at most 500 characters (Unicode code points)"])
        #expect(problem(["text": "a\u{0}b"])?["text"] != nil)
        for limit in ["0", "1001", "-1", "ten", ""] {
            #expect(problem(["text": "hat", "limit": limit])?["limit"] == ["must be a whole number 1…1000"], "limit \(limit)")
        }
        #expect(problem(["limit": "0"]).map { Set($0.keys) } == ["text", "limit"])
    }

    @Test func aStoredVectorKeepsEveryBitOfItsFloats() throws {
        let floats: [Float] = [0, -0, 1, -1.5, .ulpOfOne, .greatestFiniteMagnitude, 0.1]
        let stored = StoredVector(textHash: CatalogIndex.hash("Alpine Beanie Cap. Merino cap for cold mornings."), floats: floats)
        let decoded = try JSONDecoder().decode(StoredVector.self, from: try JSONEncoder().encode(stored))
        #expect(decoded.floats.map(\.bitPattern) == floats.map(\.bitPattern))
        #expect(decoded.textHash.count == 64)
    }
}
