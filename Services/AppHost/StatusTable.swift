/// The table AppHost prints once everything is up (and again when something changes).
struct StatusTable {
    struct Row {
        var name: String
        var url: String
        var state: String
    }

    var rows: [Row]

    init(rows: [Row]) {
        self.rows = rows
    }

    /// Every process as ready, those marked ``ProcessSpec/showFirst`` first, the rest in start order.
    init(ready specs: [ProcessSpec]) {
        let ordered = specs.filter(\.showFirst) + specs.filter { !$0.showFirst }
        rows = ordered.map { Row(name: $0.name, url: $0.url, state: "ready") }
    }

    func render() -> String {
        let header = Row(name: "NAME", url: "URL", state: "STATE")
        let all = [header] + rows
        let nameWidth = all.map(\.name.count).max() ?? 0
        let urlWidth = all.map(\.url.count).max() ?? 0
        return all.map { row in
            row.name.padding(to: nameWidth) + "  " + row.url.padding(to: urlWidth) + "  " + row.state
        }.joined(separator: "\n")
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
