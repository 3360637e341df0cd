/// How ``StateClient`` prefixes keys, as Dapr's `keyPrefix` component metadata does.
public enum KeyPrefix: Sendable, Hashable {
    /// `<app id>||<key>` (the default): each app sees only its own keys.
    case appID
    /// `<store name>||<key>`: every app using the store shares its keys.
    case storeName
    /// The key as given.
    case none
    /// `<custom>||<key>`.
    case custom(String)

    /// Dapr's metadata value: `appid`, `name`, `none`, or any other string as a custom prefix.
    public init(metadata value: String) {
        switch value.lowercased() {
        case "", "appid": self = .appID
        case "name": self = .storeName
        case "none": self = .none
        default: self = .custom(value)
        }
    }
}

/// The separator between prefix and key, reserved: a user key containing it is rejected.
public let keyPrefixSeparator = "||"
