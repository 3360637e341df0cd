import Testing
import VectorIndex

/// The in-memory index: cosine ranking through the BLAS, updates and removals keeping every
/// row where its id says, and wrong lengths refused.
@Suite struct VectorIndexTests {
    /// `values` scaled to length 1.
    func unit(_ values: [Float]) -> [Float] {
        let length = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return values.map { $0 / length }
    }

    /// The same ranking computed without the BLAS: every score by a plain dot product, sorted.
    func expected(_ vectors: [Int: [Float]], _ query: [Float], limit: Int, excluding: Set<Int> = []) -> [Int] {
        vectors.filter { !excluding.contains($0.key) }
            .map { id, vector in (id, zip(vector, query).reduce(0) { $0 + $1.0 * $1.1 }) }
            .sorted { ($0.1, -$0.0) > ($1.1, -$1.0) }.prefix(limit).map(\.0)
    }

    @Test func nearestRanksByCosineSimilarityLikeAPlainDotProduct() throws {
        var generator = SystemRandomNumberGenerator()
        var index = VectorIndex(dimension: 16)
        var vectors: [Int: [Float]] = [:]
        for id in 1...300 {
            let vector = unit((0..<16).map { _ in Float.random(in: -1...1, using: &generator) })
            vectors[id] = vector
            try index.upsert(id, vector)
        }
        for _ in 0..<20 {
            let query = unit((0..<16).map { _ in Float.random(in: -1...1, using: &generator) })
            for limit in [1, 7, 300, 500] {
                let found = try index.nearest(to: query, limit: limit)
                #expect(found.map(\.id) == expected(vectors, query, limit: limit))
                #expect(zip(found, found.dropFirst()).allSatisfy { $0.score >= $1.score })
            }
            #expect(try index.nearest(to: query, limit: 5, excluding: [1, 2, 3]).map(\.id) == expected(vectors, query, limit: 5, excluding: [1, 2, 3]))
        }
    }

    @Test func anItemIsItsOwnNearestWithScoreOne() throws {
        var index = VectorIndex(dimension: 3)
        try index.upsert(10, unit([1, 0, 0]))
        try index.upsert(20, unit([1, 1, 0]))
        try index.upsert(30, unit([0, 0, 1]))
        let found = try index.nearest(to: unit([1, 1, 0]), limit: 3)
        #expect(found.map(\.id) == [20, 10, 30])
        #expect(abs(found[0].score - 1) < 1e-6)
        #expect(abs(found[1].score - Float(0.5).squareRoot()) < 1e-6)
        #expect(abs(found[2].score) < 1e-6)
    }

    @Test func upsertReplacesAndRemoveMovesTheLastRowIntoTheGap() throws {
        var index = VectorIndex(dimension: 2)
        for id in 1...4 { try index.upsert(id, [Float(id), 0]) }
        try index.upsert(2, [0, 1])
        #expect(index.count == 4)
        #expect(index.vector(of: 2) == [0, 1])
        index.remove(1)
        index.remove(99)
        #expect(index.count == 3)
        #expect(Set(index.ids) == [2, 3, 4])
        #expect(index.vector(of: 4) == [4, 0])
        #expect(index.vector(of: 1) == nil)
        #expect(try index.nearest(to: [1, 0], limit: 10).map(\.id) == [4, 3, 2])
        for id in [2, 3, 4] { index.remove(id) }
        #expect(try index.nearest(to: [1, 0], limit: 10).isEmpty)
    }

    @Test func aVectorOfTheWrongLengthIsRefused() throws {
        var index = VectorIndex(dimension: 4)
        #expect(throws: VectorIndexError(expected: 4, got: 3)) { try index.upsert(1, [1, 0, 0]) }
        #expect(throws: VectorIndexError(expected: 4, got: 5)) { try index.nearest(to: [1, 0, 0, 0, 0], limit: 1) }
        #expect(index.count == 0)
    }
}
