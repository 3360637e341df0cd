import Foundation
import Yams

/// A Dapr component file describing a state store:
///
/// ```yaml
/// apiVersion: dapr.io/v1alpha1
/// kind: Component
/// metadata:
///   name: statestore
/// spec:
///   type: state.redis
///   version: v1
///   metadata:
///   - name: redisHost
///     value: localhost:6379
///   - name: redisPassword
///     envRef: REDIS_PASSWORD     # read from the environment, not written in the file
/// ```
///
/// Metadata values may be given inline (`value`) or, as in Dapr 1.11+, by naming an environment
/// variable (`envRef`), so passwords stay out of the YAML. `secretKeyRef` needs a secret store,
/// which this project does not run: it is rejected with a message saying so.
public struct StateComponent: Sendable, Hashable {
    /// The supported `spec.type` values.
    public static let supportedTypes = ["state.redis", "state.postgresql", "state.in-memory"]

    /// `metadata.name`: what callers address (`/v1.0/state/<name>`).
    public var name: String
    /// `spec.type`, e.g. `state.redis`.
    public var type: String
    /// `spec.version`, e.g. `v1` (empty when absent).
    public var version: String
    /// `spec.metadata`, by name, with `envRef`s resolved.
    public var metadata: [String: String]
    /// The file it came from, for error messages.
    public var file: String

    public init(name: String, type: String, version: String = "", metadata: [String: String], file: String) {
        self.name = name
        self.type = type
        self.version = version
        self.metadata = metadata
        self.file = file
    }

    /// Loads every component of every `*.yaml` / `*.yml` file in `directory`, sorted by file name.
    public static func loadAll(from directory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ComponentError) -> [StateComponent] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ComponentError(file: directory, field: nil, problem: "cannot read the components folder: \(error.localizedDescription)")
        }
        var components: [StateComponent] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            components += try load(file: (directory as NSString).appendingPathComponent(name), environment: environment)
        }
        var seen: Set<String> = []
        for component in components where !seen.insert(component.name).inserted {
            throw ComponentError(file: component.file, field: "metadata.name", problem: "a second component is named '\(component.name)'")
        }
        return components
    }

    /// Loads the components of one file (several YAML documents separated by `---` are allowed).
    public static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ComponentError) -> [StateComponent] {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ComponentError(file: file, field: nil, problem: "cannot read the file: \(error.localizedDescription)")
        }
        var documents: [Node] = []
        do {
            let parser = try Parser(yaml: text)
            while let document = try parser.nextRoot() { documents.append(document) }
        } catch {
            throw ComponentError(file: file, field: nil, problem: "is not valid YAML: \(error)")
        }
        guard !documents.isEmpty else { throw ComponentError(file: file, field: nil, problem: "holds no component") }
        return try documents.map { document throws(ComponentError) in try parse(document, file: file, environment: environment) }
    }

    private static func parse(_ document: Node, file: String, environment: [String: String]) throws(ComponentError) -> StateComponent {
        func fail(_ field: String, _ problem: String) -> ComponentError { ComponentError(file: file, field: field, problem: problem) }
        guard let apiVersion = document["apiVersion"]?.string else { throw fail("apiVersion", "is missing (expected dapr.io/v1alpha1)") }
        guard apiVersion == "dapr.io/v1alpha1" else { throw fail("apiVersion", "is '\(apiVersion)', expected dapr.io/v1alpha1") }
        guard document["kind"]?.string == "Component" else { throw fail("kind", "must be Component") }
        guard let name = document["metadata"]?["name"]?.string, !name.isEmpty else { throw fail("metadata.name", "is missing") }
        guard let spec = document["spec"] else { throw fail("spec", "is missing") }
        guard let type = spec["type"]?.string else { throw fail("spec.type", "is missing") }
        guard supportedTypes.contains(type) else {
            throw fail("spec.type", "'\(type)' is not supported; use one of \(supportedTypes.joined(separator: ", "))")
        }
        var metadata: [String: String] = [:]
        for (index, item) in (spec["metadata"]?.sequence ?? []).enumerated() {
            let field = "spec.metadata[\(index)]"
            guard let itemName = item["name"]?.string, !itemName.isEmpty else { throw fail("\(field).name", "is missing") }
            if let variable = item["envRef"]?.string {
                guard let value = environment[variable] else {
                    throw fail("\(field).envRef", "names environment variable \(variable), which is not set")
                }
                metadata[itemName] = value
            } else if item["secretKeyRef"] != nil {
                throw fail("\(field).secretKeyRef", "needs a Dapr secret store, which this project does not run; use envRef")
            } else {
                metadata[itemName] = item["value"]?.string ?? ""
            }
        }
        return StateComponent(name: name, type: type, version: spec["version"]?.string ?? "", metadata: metadata, file: file)
    }

    // MARK: Typed metadata

    /// A metadata value that must be present and non-empty.
    public func required(_ name: String) throws(ComponentError) -> String {
        guard let value = metadata[name], !value.isEmpty else {
            throw ComponentError(file: file, field: "spec.metadata \(name)", problem: "is required for \(type)")
        }
        return value
    }

    /// An optional integer.
    public func integer(_ name: String) throws(ComponentError) -> Int? {
        guard let text = metadata[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else {
            throw ComponentError(file: file, field: "spec.metadata \(name)", problem: "is '\(text)', expected an integer")
        }
        return value
    }

    /// An optional boolean (`true`/`false`/`1`/`0`/`yes`/`no`, any case).
    public func boolean(_ name: String) throws(ComponentError) -> Bool? {
        guard let text = metadata[name]?.lowercased(), !text.isEmpty else { return nil }
        switch text {
        case "true", "1", "yes", "y", "on": return true
        case "false", "0", "no", "n", "off": return false
        default: throw ComponentError(file: file, field: "spec.metadata \(name)", problem: "is '\(text)', expected true or false")
        }
    }

    /// An optional duration as Dapr writes them: Go durations (`1h`, `30m`, `1h30m`, `500ms`,
    /// `10s`) or a plain number of seconds.
    public func duration(_ name: String) throws(ComponentError) -> Duration? {
        guard let text = metadata[name], !text.isEmpty else { return nil }
        guard let value = Self.parseDuration(text) else {
            throw ComponentError(file: file, field: "spec.metadata \(name)", problem: "is '\(text)', expected a duration such as 1h, 30m or 10s")
        }
        return value
    }

    /// The key prefix strategy (`keyPrefix`: `appid`, `name`, `none` or a custom prefix).
    public var keyPrefix: KeyPrefix { KeyPrefix(metadata: metadata["keyPrefix"] ?? "appid") }

    static func parseDuration(_ text: String) -> Duration? {
        if let seconds = Int(text) { return .seconds(seconds) }
        let units: [(String, Duration)] = [("ms", .milliseconds(1)), ("h", .seconds(3_600)), ("m", .seconds(60)), ("s", .seconds(1))]
        var rest = Substring(text)
        var total = Duration.zero
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber }
            guard let amount = Int(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, size) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.count)
            total += size * amount
        }
        return total
    }
}

/// A component file that cannot be used, naming the file and the field.
public struct ComponentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var field: String?
    public var problem: String

    public init(file: String, field: String?, problem: String) {
        self.file = file
        self.field = field
        self.problem = problem
    }

    public var description: String {
        "\(file): " + (field.map { "\($0) " } ?? "") + problem
    }
}
