import Foundation

/// A model: named, versioned files, each with where to get it, its size and its sha256.
///
/// ```json
/// {"name": "all-MiniLM-L6-v2", "version": "…",
///  "files": [{"path": "config.json", "url": "config.json", "size": 612, "sha256": "953f9c0d…"}]}
/// ```
///
/// A relative `url` is resolved against the base URL the cache is given (the model store, or a
/// Hugging Face `resolve/<revision>/` URL), so one manifest serves every source.
public struct ModelManifest: Codable, Sendable, Hashable {
    public struct File: Codable, Sendable, Hashable {
        /// The file's name inside the model folder (no `..`, no leading `/`).
        public var path: String
        /// Where to download it: absolute, or relative to the base URL.
        public var url: String
        /// Its size in bytes.
        public var size: Int64
        /// Its SHA-256, 64 lowercase hex digits.
        public var sha256: String

        public init(path: String, url: String, size: Int64, sha256: String) {
            self.path = path
            self.url = url
            self.size = size
            self.sha256 = sha256
        }
    }

    /// The model's name: its folder under `<state>/models`.
    public var name: String
    /// The version: a folder under the model's, so versions live side by side.
    public var version: String
    public var files: [File]

    public init(name: String, version: String, files: [File]) {
        self.name = name
        self.version = version
        self.files = files
    }

    /// Reads and checks a manifest file.
    public static func load(_ url: URL) throws(StateFolderError) -> ModelManifest {
        let manifest: ModelManifest
        do {
            manifest = try JSONDecoder().decode(ModelManifest.self, from: Data(contentsOf: url))
        } catch {
            throw StateFolderError(.invalidManifest, "cannot read the model manifest \"\(url.path)\": \(error)")
        }
        try manifest.validate()
        return manifest
    }

    /// Throws when a name, a path or a checksum could escape the model folder or never match.
    public func validate() throws(StateFolderError) {
        for component in [name, version] where !Self.isSafeName(component) {
            throw StateFolderError(.invalidManifest, "the manifest's name and version must be plain folder names, not '\(component)'")
        }
        for file in files {
            guard !file.path.isEmpty, !file.path.hasPrefix("/"), !file.path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
                !file.path.hasSuffix(".partial")
            else { throw StateFolderError(.invalidManifest, "the manifest's file path '\(file.path)' is not a plain relative path") }
            guard file.sha256.count == 64, file.sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw StateFolderError(.invalidManifest, "the sha256 of '\(file.path)' is not 64 lowercase hex digits")
            }
            guard file.size >= 0 else { throw StateFolderError(.invalidManifest, "the size of '\(file.path)' is negative") }
        }
    }

    private static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name != "current" && name != "LOCK" && !name.contains("/")
    }
}
