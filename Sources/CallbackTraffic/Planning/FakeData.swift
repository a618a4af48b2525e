/// Word lists and formatters for realistic, obviously fake context and form values (no real PII).
enum FakeData {
    static let firstNames = [
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Ethan",
        "Zoë", "José", "Łukasz", "François", "Søren", "Aoife", "Chloé", "Björn", "Anaïs", "Jürgen",
        "美咲", "Priya", "Kwame", "Fatima", "Dmitri",
    ]
    static let lastNames = [
        "Smith", "Johnson", "Garcia", "Brown", "Jones", "Miller", "Davis", "Martinez", "Wilson", "Taylor",
        "O'Brien", "Müller", "Nguyễn", "Kowalski", "Dubois", "Rossi", "Andersson", "Yamamoto", "Okafor",
        "van der Berg",
    ]
    /// Free-text subjects, some needing JSON escapes (quotes, backslash, newline, tab).
    static let subjects = [
        "Question about my bill",
        "Billing question re: \"invoice\" #4411",
        "Upgrade my plan",
        "Delivery is late",
        "Path C:\\Users\\me\\file.pdf won't upload",
        "Please call after 5pm\nThanks",
        "Refund\tstatus",
        "Réclamation — commande 88412",
        "Cancel subscription",
        "Technical issue with login",
    ]
    static let deployments = ["prod-eu-1", "prod-us-1", "prod-us-2", "prod-ap-1"]
    static let pages = ["/support", "/contact", "/billing", "/checkout", "/help/faq", "/account/settings"]
    /// Error codes of failed submissions, most frequent first.
    static let errorCodes = [
        "TIMESLOT_UNAVAILABLE", "INVALID_PHONE_NUMBER", "CALLBACK_SERVICE_UNAVAILABLE",
        "FORM_VALIDATION_FAILED", "RATE_LIMITED", "NETWORK_ERROR",
    ]
    static let timezones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Paris", "UTC"]

    /// A human message and HTTP-like status for an error code (used by `{"code": …}` error objects).
    static func errorDetail(_ code: String) -> (message: String, status: Int64) {
        switch code {
        case "TIMESLOT_UNAVAILABLE": ("The requested time slot is no longer available", 409)
        case "INVALID_PHONE_NUMBER": ("Phone number is not valid", 400)
        case "CALLBACK_SERVICE_UNAVAILABLE": ("Callback service unavailable", 503)
        case "FORM_VALIDATION_FAILED": ("One or more fields are invalid", 422)
        case "RATE_LIMITED": ("Too many requests", 429)
        default: ("Network error", 0)
        }
    }

    /// A lowercase UUID-shaped string of 128 bits.
    static func uuid(_ hi: UInt64, _ lo: UInt64) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { bytes.append(0x2D) }
            let word = i < 16 ? hi : lo
            let shift = UInt64(60 - (i % 16) * 4)
            bytes.append(hex[Int((word >> shift) & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Fake form parameters, names in byte order (so document order and sorted order agree).
    static func form(_ rng: inout TrafficRandom, startMs: Int64) -> [TrafficField] {
        var fields: [TrafficField] = []
        if rng.chance(0.3) {
            // A desired callback time some minutes after the session, as an ISO-8601 string.
            let desired = startMs + 60_000 * rng.int64(in: 15...2_880)
            fields.append(TrafficField("desiredTime", TimeFormatting.iso8601(desired)))
        }
        if rng.chance(0.7) {
            fields.append(TrafficField("email", "customer\(rng.int64(in: 1_000...99_999))@example.com"))
        }
        fields.append(TrafficField("firstName", firstNames[rng.index(firstNames.count)]))
        fields.append(TrafficField("lastName", lastNames[rng.index(lastNames.count)]))
        if rng.chance(0.8) {
            fields.append(TrafficField("phoneNumber", "+1-555-01\(digits2(rng.below(100)))"))
        } else {
            fields.append(TrafficField("phoneNumber", "+44 20 7946 0\(digits3(rng.below(1000)))"))
        }
        if rng.chance(0.4) {
            fields.append(TrafficField("subject", subjects[rng.index(subjects.count)]))
        }
        if rng.chance(0.2) {
            fields.append(TrafficField("timezone", timezones[rng.index(timezones.count)]))
        }
        return fields
    }

    private static func digits2(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    private static func digits3(_ v: UInt64) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
}
