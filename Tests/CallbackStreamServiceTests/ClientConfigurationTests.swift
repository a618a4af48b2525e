@testable import CallbackStreamService
import Testing

/// The librdkafka properties the processor gives its consumer and producer.
@Suite struct ClientConfigurationTests {
    private func configuration(_ librdkafka: [String: String] = [:]) -> ProcessorConfiguration {
        var configuration = ProcessorConfiguration()
        configuration.bootstrapServers = "127.0.0.1:9092"
        configuration.librdkafka = librdkafka
        return configuration
    }

    @Test func defaultsBoundThePrefetchAndKeepOffsetsManual() throws {
        let (consumer, producer) = try KafkaClientConfigurations.make(configuration())
        #expect(consumer["queued.min.messages"] == "20000")
        #expect(consumer["queued.max.messages.kbytes"] == "8192")
        #expect(consumer["fetch.max.bytes"] == "4194304")
        #expect(consumer["enable.auto.commit"] == "false")
        #expect(consumer["enable.auto.offset.store"] == "false")
        #expect(consumer["partition.assignment.strategy"] == "cooperative-sticky")
        #expect(producer["compression.type"] == "lz4")
        #expect(producer["queued.min.messages"] == nil, "consumer-only properties stay off the producer")
    }

    @Test func aCrashedMemberIsNoticedWithinSixSeconds() throws {
        let (consumer, _) = try KafkaClientConfigurations.make(configuration())
        #expect(consumer["session.timeout.ms"] == "6000")
        #expect(consumer["heartbeat.interval.ms"] == "500")
        #expect(consumer["group.instance.id"] == nil, "dynamic membership unless --instance-id")
        let (overridden, _) = try KafkaClientConfigurations.make(configuration(["session.timeout.ms": "45000"]))
        #expect(overridden["session.timeout.ms"] == "45000")
    }

    @Test func everyMemberOfAStaticInstanceHasItsOwnInstanceID() throws {
        var named = configuration()
        named.instanceID = "callback-stream-0"
        #expect(try KafkaClientConfigurations.make(named).consumer["group.instance.id"] == "callback-stream-0")
        #expect(try KafkaClientConfigurations.make(named, member: "1").consumer["group.instance.id"] == "callback-stream-0-1")
        #expect(try KafkaClientConfigurations.make(named, member: "stats-merge").consumer["group.instance.id"] == "callback-stream-0-stats-merge")
    }

    @Test func streamThreadsShareThePrefetch() throws {
        var twoThreads = configuration()
        twoThreads.streamThreads = 2
        let (consumer, _) = try KafkaClientConfigurations.make(twoThreads)
        #expect(consumer["queued.max.messages.kbytes"] == "4096")
        #expect(consumer["fetch.max.bytes"] == "2097152")
        var many = configuration()
        many.streamThreads = 64
        let (floor, _) = try KafkaClientConfigurations.make(many)
        #expect(floor["queued.max.messages.kbytes"] == "1024")
        #expect(floor["fetch.max.bytes"] == "1048576")
    }

    @Test func fetchResponsesStayAtLeastAsLargeAsTheLargestMessage() throws {
        let (consumer, _) = try KafkaClientConfigurations.make(configuration(["message.max.bytes": "8388608"]))
        #expect(consumer["fetch.max.bytes"] == "8388608")
        #expect(consumer["message.max.bytes"] == "8388608")
    }

    @Test func passThroughPropertiesOverrideTheDefaults() throws {
        let (consumer, producer) = try KafkaClientConfigurations.make(
            configuration(["queued.max.messages.kbytes": "65536", "linger.ms": "20"]))
        #expect(consumer["queued.max.messages.kbytes"] == "65536")
        #expect(producer["linger.ms"] == "20")
    }

    @Test func anUnknownPropertyIsRejected() {
        #expect(throws: (any Error).self) {
            try KafkaClientConfigurations.make(configuration(["no.such.property": "1"]))
        }
    }
}
