/// How recommendations blend "bought together" counts with semantic neighbours.
///
/// Purchases say more than text, but only once there are enough of them. So:
///
/// - a product held by at least ``fewOrders`` paid orders is recommended by its bought-together
///   counts alone (most often first, then by id), at most `limit`;
/// - a product with fewer (including none) gets its bought-together products first, in the same
///   order, and then its semantic neighbours (the items whose name and description are closest in
///   meaning, most similar first), skipping itself and products already listed, up to `limit`.
enum RecommendationBlend {
    /// Below this many paid orders a product has "few purchases".
    static let fewOrders = 5

    /// The neighbours actually added (in order) and the recommended ids (bought together, then
    /// those neighbours).
    static func blend(
        productId: Int, orders: Int, boughtTogether: [Recommendations.Item], neighbours: [Recommendations.Similar], limit: Int
    ) -> (similar: [Recommendations.Similar], recommended: [Int]) {
        var recommended = Array(boughtTogether.prefix(limit).map(\.productId))
        guard orders < fewOrders else { return ([], recommended) }
        var listed = Set(recommended + [productId])
        var similar: [Recommendations.Similar] = []
        for neighbour in neighbours where recommended.count < limit && !listed.contains(neighbour.productId) {
            listed.insert(neighbour.productId)
            similar.append(neighbour)
            recommended.append(neighbour.productId)
        }
        return (similar, recommended)
    }
}
