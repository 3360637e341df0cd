import Foundation
import ServiceDefaults

/// The body of `POST /api/v1/basket/checkout`. Every field is optional here so that a missing one
/// is reported by name with the others, not as a decoding failure.
struct CheckoutRequest: Decodable, Sendable {
    var street: String?
    var city: String?
    var state: String?
    var country: String?
    var zipCode: String?
    var cardNumber: String?
    var cardHolderName: String?
    /// `MM/YY`.
    var cardExpiration: String?
    var cardSecurityCode: String?
    var userEmail: String?
}

/// A checkout that passed validation. Holds what the order needs about the card — the holder,
/// the last four digits and the expiry — never the full number or the security code.
struct ValidCheckout: Sendable, Equatable {
    var street: String
    var city: String
    var state: String
    var country: String
    var zipCode: String
    var cardHolderName: String
    var cardLastFourDigits: String
    /// The first instant the card is no longer valid (the start of the month after `MM/YY`).
    var cardExpiresAt: Date
    var userEmail: String?

    /// Validates `request` at `now`; every bad field is named, the card number never echoed.
    init(_ request: CheckoutRequest, now: Date = Date()) throws(ProblemDetails) {
        var errors: [String: [String]] = [:]
        func required(_ value: String?, _ field: String) -> String {
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if trimmed.isEmpty { errors[field, default: []].append("is required") }
            return trimmed
        }
        street = required(request.street, "street")
        city = required(request.city, "city")
        state = required(request.state, "state")
        country = required(request.country, "country")
        zipCode = required(request.zipCode, "zipCode")
        cardHolderName = required(request.cardHolderName, "cardHolderName")

        let digits = (request.cardNumber ?? "").filter { $0 != " " && $0 != "-" }
        if !CardChecks.isValidNumber(digits) {
            errors["cardNumber", default: []].append("is not a valid card number (12–19 digits passing the Luhn check)")
        }
        cardLastFourDigits = String(digits.suffix(4))

        let expiry = CardChecks.expiry(request.cardExpiration ?? "")
        if let expiry, expiry <= now {
            errors["cardExpiration", default: []].append("has passed")
        } else if expiry == nil {
            errors["cardExpiration", default: []].append("must be MM/YY")
        }
        cardExpiresAt = expiry ?? now

        let code = request.cardSecurityCode ?? ""
        if !(3...4).contains(code.count) || !code.allSatisfy(\.isASCIIDigit) {
            errors["cardSecurityCode", default: []].append("must be 3 or 4 digits")
        }
        let email = request.userEmail?.trimmingCharacters(in: .whitespaces)
        if let email, !email.isEmpty, !CardChecks.looksLikeEmail(email) {
            errors["userEmail", default: []].append("is not an e-mail address")
        }
        userEmail = email?.isEmpty == false ? email : nil
        guard errors.isEmpty else { throw ProblemDetails(.badRequest, detail: "the checkout has invalid fields", errors: errors) }
    }
}

/// Card and address checks, pure functions.
enum CardChecks {
    /// 12–19 ASCII digits passing the Luhn check.
    static func isValidNumber(_ digits: String) -> Bool {
        guard (12...19).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else { return false }
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            var digit = Int(character.asciiValue! - UInt8(ascii: "0"))
            if index % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum % 10 == 0
    }

    /// The end of the month `MM/YY` names (UTC), or `nil` when it is not `MM/YY`.
    static func expiry(_ text: String) -> Date? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            let month = Int(parts[0]), let year = Int(parts[1]), (1...12).contains(month)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let firstOfMonth = calendar.date(from: DateComponents(year: 2000 + year, month: month, day: 1))
        return firstOfMonth.flatMap { calendar.date(byAdding: .month, value: 1, to: $0) }
    }

    /// `local@domain.tld` in its simplest form; delivery is the mail system's concern.
    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
