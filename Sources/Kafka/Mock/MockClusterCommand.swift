/// One line of the mock cluster's text control protocol (used on the stdin of
/// `callback-stream broker`), parsed and ready to run against a ``MockCluster``.
///
/// Commands (words separated by spaces; answers are `ok` or `error: <reason>`):
/// - `broker-down <id>` / `broker-up <id>`: take a broker down or bring it back.
/// - `rtt <id> <milliseconds>`: delay every response of a broker.
/// - `errors <ApiKey> <count> <ERROR_NAME>`: fail the next `count` requests of that type
///   (e.g. `errors Produce 3 NOT_ENOUGH_REPLICAS`); `errors <ApiKey> clear` forgets them.
/// - `topic <name> <partitions>`: create a topic.
/// - `leader <topic> <partition> <id>`: move a partition's leadership.
/// - `help`: list the commands.
public enum MockClusterCommand: Sendable, Hashable {
    case brokerDown(Int32)
    case brokerUp(Int32)
    case roundTripTime(broker: Int32, milliseconds: Int)
    case requestErrors(KafkaAPIKey, count: Int, KafkaError.Code)
    case clearRequestErrors(KafkaAPIKey)
    case createTopic(String, partitions: Int)
    case partitionLeader(topic: String, partition: Int32, broker: Int32)
    case help

    /// The protocol's description, one command per line.
    public static let usage = """
        broker-down <id>               take broker <id> down
        broker-up <id>                 bring broker <id> back up
        rtt <id> <ms>                  delay broker <id>'s responses by <ms>
        errors <ApiKey> <n> <ERROR>    fail the next <n> <ApiKey> requests with <ERROR>
                                       (e.g. errors Produce 3 NOT_ENOUGH_REPLICAS)
        errors <ApiKey> clear          forget errors still pending for <ApiKey>
        topic <name> <partitions>      create a topic
        leader <topic> <part> <id>     move a partition's leader to broker <id>
        help                           this list
        """

    /// A parse failure, with the text to answer after `error: `.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Why the line was not understood.
        public let description: String
    }

    /// Parses one line.
    ///
    /// - Throws: ``ParseError`` naming what was wrong.
    public init(parsing line: String) throws(ParseError) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = words.first else { throw ParseError(description: "empty command") }
        let arguments = Array(words.dropFirst())
        func expect(_ count: Int, _ usage: String) throws(ParseError) {
            guard arguments.count == count else { throw ParseError(description: "usage: \(usage)") }
        }
        func broker(_ text: String) throws(ParseError) -> Int32 {
            guard let id = Int32(text), id >= 1 else { throw ParseError(description: "bad broker id '\(text)'") }
            return id
        }
        func positive(_ text: String, _ what: String) throws(ParseError) -> Int {
            guard let value = Int(text), value >= 0 else { throw ParseError(description: "bad \(what) '\(text)'") }
            return value
        }
        switch verb {
        case "broker-down":
            try expect(1, "broker-down <id>")
            self = .brokerDown(try broker(arguments[0]))
        case "broker-up":
            try expect(1, "broker-up <id>")
            self = .brokerUp(try broker(arguments[0]))
        case "rtt":
            try expect(2, "rtt <id> <milliseconds>")
            self = .roundTripTime(broker: try broker(arguments[0]), milliseconds: try positive(arguments[1], "milliseconds"))
        case "errors":
            guard let name = arguments.first, let apiKey = KafkaAPIKey(name: name) else {
                throw ParseError(
                    description: "usage: errors <ApiKey> <count> <ERROR_NAME>; ApiKey one of "
                        + KafkaAPIKey.names.map(\.name).joined(separator: ", "))
            }
            if arguments.count == 2, arguments[1] == "clear" {
                self = .clearRequestErrors(apiKey)
                return
            }
            try expect(3, "errors <ApiKey> <count> <ERROR_NAME>")
            let count = try positive(arguments[1], "count")
            guard let code = KafkaError.Code(name: arguments[2]) else {
                throw ParseError(description: "unknown librdkafka error name '\(arguments[2])'")
            }
            self = .requestErrors(apiKey, count: count, code)
        case "topic":
            try expect(2, "topic <name> <partitions>")
            let partitions = try positive(arguments[1], "partitions")
            guard partitions >= 1 else { throw ParseError(description: "a topic needs at least 1 partition") }
            self = .createTopic(arguments[0], partitions: partitions)
        case "leader":
            try expect(3, "leader <topic> <partition> <id>")
            guard let partition = Int32(arguments[1]), partition >= 0 else {
                throw ParseError(description: "bad partition '\(arguments[1])'")
            }
            self = .partitionLeader(topic: arguments[0], partition: partition, broker: try broker(arguments[2]))
        case "help":
            self = .help
        default:
            throw ParseError(description: "unknown command '\(verb)' (try 'help')")
        }
    }

    /// Runs the command against `cluster` and returns the answer line(s): `ok` (or the usage
    /// for `help`) or `error: <reason>`.
    public func run(on cluster: MockCluster) -> String {
        do throws(KafkaError) {
            switch self {
            case .brokerDown(let id):
                try cluster.setBrokerDown(id)
            case .brokerUp(let id):
                try cluster.setBrokerUp(id)
            case .roundTripTime(let id, let milliseconds):
                try cluster.setRoundTripTime(.milliseconds(milliseconds), broker: id)
            case .requestErrors(let apiKey, let count, let code):
                cluster.pushRequestErrors(Array(repeating: code, count: count), for: apiKey)
            case .clearRequestErrors(let apiKey):
                cluster.clearRequestErrors(for: apiKey)
            case .createTopic(let name, let partitions):
                try cluster.createTopic(name, partitions: partitions)
            case .partitionLeader(let topic, let partition, let id):
                try cluster.setPartitionLeader(topic: topic, partition: partition, broker: id)
            case .help:
                return Self.usage
            }
            return "ok"
        } catch {
            return "error: \(error)"
        }
    }

    /// Parses and runs one line; the answer for any input (never throws).
    public static func answer(_ line: String, on cluster: MockCluster) -> String {
        do throws(ParseError) {
            return try MockClusterCommand(parsing: line).run(on: cluster)
        } catch {
            return "error: \(error)"
        }
    }
}
