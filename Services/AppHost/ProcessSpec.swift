/// One process AppHost runs: how to start it, what it needs first, and how to tell it is ready.
struct ProcessSpec: Sendable {
    /// How AppHost decides a process is ready to serve.
    enum Readiness: Sendable {
        /// Redis answers `PING` (with the configured password).
        case redis(host: String, port: Int, password: String?)
        /// PostgreSQL accepts a login and answers `SELECT 1`.
        case postgres(host: String, port: Int, user: String, password: String?, database: String)
        /// `GET <url>/health/ready` answers 200.
        case http(baseURL: String)
    }

    /// Short name: the log prefix and the table row.
    var name: String
    /// The executable and its arguments; `nil` for a dependency that is already running elsewhere
    /// (AppHost only checks it).
    var command: [String]?
    /// Extra environment for the process.
    var environment: [String: String] = [:]
    /// Names of the processes that must be ready first.
    var dependencies: [String] = []
    var readiness: Readiness
    /// What the table shows as the address.
    var url: String
    /// Whether the table lists it first, above the order of starting (the storefront: the URL
    /// people open).
    var showFirst = false
}

/// Orders specs so that every process comes after what it depends on (stable: otherwise the
/// listed order). Unknown dependencies and cycles are configuration mistakes.
func startOrder(_ specs: [ProcessSpec]) throws(StartOrderError) -> [ProcessSpec] {
    let names = Set(specs.map(\.name))
    for spec in specs {
        if let missing = spec.dependencies.first(where: { !names.contains($0) }) {
            throw StartOrderError(message: "\(spec.name) depends on unknown process \(missing)")
        }
    }
    var ordered: [ProcessSpec] = []
    var placed: Set<String> = []
    while ordered.count < specs.count {
        guard let next = specs.first(where: { !placed.contains($0.name) && Set($0.dependencies).isSubset(of: placed) }) else {
            let stuck = specs.filter { !placed.contains($0.name) }.map(\.name).joined(separator: ", ")
            throw StartOrderError(message: "dependency cycle among \(stuck)")
        }
        ordered.append(next)
        placed.insert(next.name)
    }
    return ordered
}

struct StartOrderError: Error, Equatable, CustomStringConvertible {
    var message: String
    var description: String { message }
}
