import Foundation
import Synchronization
import Yams

/// Checks real responses against an OpenAPI 3.1 document, for the subset our documents use:
/// paths with `{parameters}`, documented status codes, media types, and JSON bodies against
/// schemas (`type`, `required`, `properties`, `items`, `enum`, local `$ref`s).
///
/// It remembers which documented (operation, status) pairs were seen, so a test can also check
/// that every documented response was exercised.
public final class OpenAPIChecker: Sendable {
    private let document: JSON
    private let seen = Mutex<Set<String>>([])

    public init(yaml: String) throws {
        guard let loaded = try Yams.load(yaml: yaml) else { throw OpenAPICheckError("empty document") }
        document = try JSON(yaml: loaded)
        guard case .string(let version)? = document["openapi"], version.hasPrefix("3.1") else {
            throw OpenAPICheckError("not an OpenAPI 3.1 document")
        }
    }

    /// Every documented `"METHOD path status"`.
    public var documentedResponses: Set<String> {
        var all: Set<String> = []
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for (method, operation) in item.objectValue ?? [:] where Self.methods.contains(method) {
                for status in (operation["responses"]?.objectValue ?? [:]).keys {
                    all.insert("\(method.uppercased()) \(path) \(status)")
                }
            }
        }
        return all
    }

    /// The documented responses seen so far.
    public var seenResponses: Set<String> { seen.withLock { $0 } }

    /// Problems with one response to `method` on `requestPath` (a concrete path, no query);
    /// empty when it matches the document.
    public func check(method: String, path requestPath: String, status: Int, contentType: String?, body: [UInt8]) -> [String] {
        let method = method.lowercased()
        guard let (template, item) = pathItem(for: requestPath) else { return ["\(requestPath) is not documented"] }
        guard let operation = item[method] else { return ["\(method.uppercased()) \(template) is not documented"] }
        guard let response = operation["responses"]?[String(status)] ?? operation["responses"]?["default"] else {
            return ["\(method.uppercased()) \(template) does not document status \(status)"]
        }
        seen.withLock { _ = $0.insert("\(method.uppercased()) \(template) \(status)") }
        let resolved = resolve(response)
        guard let content = resolved["content"]?.objectValue, !content.isEmpty else {
            return body.isEmpty ? [] : ["\(method.uppercased()) \(template) \(status) documents no body but one was sent"]
        }
        let mediaType = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[mediaType] else {
            return ["\(method.uppercased()) \(template) \(status): content type '\(mediaType)' is not one of \(content.keys.sorted())"]
        }
        guard let schema = media["schema"] else { return [] }
        guard mediaType.hasSuffix("json") else { return [] }
        guard let value = try? JSONDecoder().decode(JSON.self, from: Data(body)) else { return ["\(template) \(status): the body is not JSON"] }
        return validate(value, against: schema, at: "body")
    }

    private static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    /// The documented path `requestPath` matches; a literal segment beats a `{parameter}`
    /// (`/items/by_ids` before `/items/{id}`), as in OpenAPI's path matching.
    private func pathItem(for requestPath: String) -> (String, JSON)? {
        let segments = requestPath.split(separator: "/", omittingEmptySubsequences: false)
        var best: (template: String, item: JSON, parameters: Int)?
        for (template, item) in document["paths"]?.objectValue ?? [:] {
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count else { continue }
            let isParameter = parts.map { $0.hasPrefix("{") && $0.hasSuffix("}") }
            guard zip(zip(parts, segments), isParameter).allSatisfy({ pair, parameter in parameter ? !pair.1.isEmpty : pair.0 == pair.1 }) else {
                continue
            }
            let parameters = isParameter.filter { $0 }.count
            if best == nil || parameters < best!.parameters { best = (template, item, parameters) }
        }
        return best.map { ($0.template, $0.item) }
    }

    private func resolve(_ value: JSON) -> JSON {
        guard case .string(let reference)? = value["$ref"], reference.hasPrefix("#/") else { return value }
        var current: JSON? = document
        for part in reference.dropFirst(2).split(separator: "/") { current = current?[String(part)] }
        return current.map(resolve) ?? .null
    }

    private func validate(_ value: JSON, against rawSchema: JSON, at location: String) -> [String] {
        let schema = resolve(rawSchema)
        var problems: [String] = []
        if case .string(let type)? = schema["type"], !value.matches(type: type) {
            return ["\(location) is not of type \(type)"]
        }
        if case .array(let allowed)? = schema["enum"], !allowed.contains(value) {
            problems.append("\(location) is not one of the documented values")
        }
        if case .object(let fields) = value {
            for case .string(let name) in schema["required"]?.arrayValue ?? [] where fields[name] == nil {
                problems.append("\(location).\(name) is required but missing")
            }
            for (name, propertySchema) in schema["properties"]?.objectValue ?? [:] {
                if let field = fields[name] { problems += validate(field, against: propertySchema, at: "\(location).\(name)") }
            }
        }
        if case .array(let elements) = value, let itemSchema = schema["items"] {
            for (index, element) in elements.enumerated() { problems += validate(element, against: itemSchema, at: "\(location)[\(index)]") }
        }
        return problems
    }
}

public struct OpenAPICheckError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A JSON (or YAML-loaded) value; numbers stay exact.
indirect enum JSON: Decodable, Equatable, Sendable {
    case null, bool(Bool), integer(Int), number(Decimal), string(String), array([JSON]), object([String: JSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    /// Converts what Yams loads (strings, numbers, booleans, arrays, dictionaries).
    init(yaml: Any) throws {
        switch yaml {
        case let value as String: self = .string(value)
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .integer(value)
        case let value as Double: self = .number(Decimal(string: String(value)) ?? 0)
        case let value as [Any]: self = .array(try value.map(JSON.init(yaml:)))
        case let value as [String: Any]: self = .object(try value.mapValues(JSON.init(yaml:)))
        case let value as [AnyHashable: Any]:
            self = .object(Dictionary(uniqueKeysWithValues: try value.map { ("\($0.key)", try JSON(yaml: $0.value)) }))
        case is NSNull: self = .null
        default: throw OpenAPICheckError("unexpected YAML value \(yaml)")
        }
    }

    subscript(key: String) -> JSON? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var objectValue: [String: JSON]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    var arrayValue: [JSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    func matches(type: String) -> Bool {
        switch (type, self) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .integer),
            ("number", .integer), ("number", .number), ("null", .null):
            true
        default:
            false
        }
    }
}
