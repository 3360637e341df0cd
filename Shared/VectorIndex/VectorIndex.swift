#if canImport(Accelerate)
import Accelerate
#else
import COpenBLAS
#endif

/// Unit vectors of one dimension, each under an item id, held in one contiguous row-major
/// matrix and searched by cosine similarity: for L2-normalised vectors that is the dot product,
/// so a search is one matrix–vector product through the BLAS (`sgemv`) and a selection of the
/// best scores.
///
/// A value type: copying it is cheap (copy on write), so a reader can search a copy while a
/// writer changes the original.
public struct VectorIndex: Sendable {
    /// One result: an item and its cosine similarity to the query (−1…1, higher is closer).
    public struct Match: Sendable, Equatable, Codable {
        public var id: Int
        public var score: Float

        public init(id: Int, score: Float) {
            self.id = id
            self.score = score
        }
    }

    /// The length of every vector.
    public let dimension: Int
    /// The item ids, in row order.
    public private(set) var ids: [Int] = []
    private var rowOfID: [Int: Int] = [:]
    /// `ids.count × dimension` floats, row `i` holding the vector of `ids[i]`.
    private var matrix: [Float] = []

    public init(dimension: Int) {
        precondition(dimension > 0, "a vector index needs a dimension > 0")
        self.dimension = dimension
    }

    public var count: Int { ids.count }

    public func contains(_ id: Int) -> Bool { rowOfID[id] != nil }

    /// The vector stored for `id`, if any.
    public func vector(of id: Int) -> [Float]? {
        guard let row = rowOfID[id] else { return nil }
        return Array(matrix[row * dimension..<(row + 1) * dimension])
    }

    /// Stores `vector` for `id`, replacing its previous one.
    /// - Throws: ``VectorIndexError`` when the vector's length is not ``dimension``.
    public mutating func upsert(_ id: Int, _ vector: [Float]) throws(VectorIndexError) {
        guard vector.count == dimension else { throw VectorIndexError(expected: dimension, got: vector.count) }
        if let row = rowOfID[id] {
            matrix.replaceSubrange(row * dimension..<(row + 1) * dimension, with: vector)
        } else {
            rowOfID[id] = ids.count
            ids.append(id)
            matrix.append(contentsOf: vector)
        }
    }

    /// Removes `id` (the last row moves into its place); removing an absent id does nothing.
    public mutating func remove(_ id: Int) {
        guard let row = rowOfID.removeValue(forKey: id) else { return }
        let last = ids.count - 1
        if row != last {
            let moved = ids[last]
            ids[row] = moved
            rowOfID[moved] = row
            matrix.replaceSubrange(row * dimension..<(row + 1) * dimension, with: matrix[last * dimension..<(last + 1) * dimension])
        }
        ids.removeLast()
        matrix.removeLast(dimension)
    }

    /// The `limit` items closest to `query` (best first; equal scores by id), leaving out `excluded`.
    /// - Throws: ``VectorIndexError`` when the query's length is not ``dimension``.
    public func nearest(to query: [Float], limit: Int, excluding excluded: Set<Int> = []) throws(VectorIndexError) -> [Match] {
        guard query.count == dimension else { throw VectorIndexError(expected: dimension, got: query.count) }
        guard limit > 0, !ids.isEmpty else { return [] }
        let scores = self.scores(query)
        var best = TopScores(capacity: min(limit, ids.count))
        for row in 0..<ids.count where !excluded.contains(ids[row]) {
            best.offer(Match(id: ids[row], score: scores[row]))
        }
        return best.sorted()
    }

    /// The dot product of every row with `query`: one `sgemv` over the whole matrix (the BLAS
    /// floor of a search, which the benchmark reports beside it).
    public func scores(_ query: [Float]) -> [Float] {
        let rows = ids.count
        let dimension = self.dimension
        return [Float](unsafeUninitializedCapacity: rows) { scores, initialized in
            matrix.withUnsafeBufferPointer { matrix in
                query.withUnsafeBufferPointer { query in
                    cblas_sgemv(
                        CblasRowMajor, CblasNoTrans, .init(rows), .init(dimension), 1, matrix.baseAddress, .init(dimension), query.baseAddress, 1, 0,
                        scores.baseAddress, 1)
                }
            }
            initialized = rows
        }
    }
}

/// A vector of the wrong length.
public struct VectorIndexError: Error, Sendable, Equatable, CustomStringConvertible {
    public var expected: Int
    public var got: Int

    public init(expected: Int, got: Int) {
        self.expected = expected
        self.got = got
    }

    public var description: String { "a vector of \(got) numbers where the index holds \(expected)" }
}

/// The best `capacity` matches seen so far, in a min-heap on (score, then reversed id), so a
/// search over n rows costs O(n log k) instead of sorting all n.
struct TopScores {
    let capacity: Int
    private var heap: [VectorIndex.Match] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    /// Whether `a` ranks below `b`: a lower score, or an equal score and a higher id.
    private static func worse(_ a: VectorIndex.Match, _ b: VectorIndex.Match) -> Bool {
        a.score < b.score || (a.score == b.score && a.id > b.id)
    }

    mutating func offer(_ match: VectorIndex.Match) {
        if heap.count < capacity {
            heap.append(match)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if let root = heap.first, Self.worse(root, match) {
            heap[0] = match
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && Self.worse(heap[left], heap[smallest]) { smallest = left }
                if right < heap.count && Self.worse(heap[right], heap[smallest]) { smallest = right }
                guard smallest != parent else { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }

    /// The matches kept, best first.
    func sorted() -> [VectorIndex.Match] { heap.sorted { Self.worse($1, $0) } }
}
