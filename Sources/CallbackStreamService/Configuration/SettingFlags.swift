/// The settings flags of `callback-stream run`, parsed generically from ``Setting/all``.
///
/// `run` declares only `--config` and `-X` to swift-argument-parser and hands every other
/// argument here, so that a setting is declared once (in ``Setting/all``) and not again as an
/// `@Option`. Accepts `--name value` and `--name=value`; the last occurrence of a flag wins.
public enum SettingFlags {
    /// A command-line mistake, worded like swift-argument-parser's own errors.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var description: String

        public init(_ description: String) {
            self.description = description
        }
    }

    /// The values given on the command line, by setting name.
    ///
    /// - Throws: ``ParseError`` for an unknown flag (with the closest known one), a flag
    ///   without a value, or an argument that is not a flag.
    public static func parse(_ arguments: [String]) throws(ParseError) -> [String: String] {
        var values: [String: String] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ParseError(argument.hasPrefix("-") ? "Unknown option '\(argument)'" : "Unexpected argument '\(argument)'")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard Setting.named(name) != nil else {
                let hint = closest(to: name).map { "; did you mean '--\($0)'?" } ?? ""
                throw ParseError("Unknown option '--\(name)'\(hint)")
            }
            if value == nil {
                guard index < arguments.endIndex else { throw ParseError("Missing value for '--\(name) <\(name)>'") }
                value = arguments[index]
                index += 1
            }
            values[name] = value
        }
        return values
    }

    /// The known setting nearest to `name` (by edit distance), if it is a likely typo.
    static func closest(to name: String) -> String? {
        let scored = Setting.all.map { ($0.name, editDistance(name, $0.name)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, name.count / 4) else { return nil }
        return best.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Every setting as `--name <value>` with its help, default and environment variable,
    /// wrapped to `width` columns: the settings section of `callback-stream run --help`
    /// (swift-argument-parser indents it by 8 and keeps lines shorter than 72 as they are).
    public static func helpListing(width: Int = 70) -> String {
        Setting.all.map { setting in
            "--\(setting.name) <\(setting.name)>\n" + wrap(setting.fullHelp, width: width, indent: 4)
        }.joined(separator: "\n")
    }

    private static func wrap(_ text: String, width: Int, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        // `(default: x)` and `[env: X]` stay on one line, so that they can be searched for.
        var words: [String] = []
        for word in text.split(separator: " ").map(String.init) {
            if let last = words.last, last == "(default:" || last == "[env:" {
                words[words.count - 1] = last + " " + word
            } else {
                words.append(word)
            }
        }
        for word in words {
            if !line.isEmpty, pad.count + line.count + 1 + word.count > width {
                lines.append(pad + line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(pad + line) }
        return lines.joined(separator: "\n")
    }
}
