import Kafka
import Testing

/// Configuration errors carry librdkafka's own text.
@Suite struct KafkaConfigurationTests {
    @Test func unknownKeyFailsWithLibrdkafkaText() throws {
        var configuration = KafkaConfiguration()
        let error = #expect(throws: KafkaError.self) {
            try configuration.set("no.such.property", "1")
        }
        #expect(error?.message == #"No such configuration property: "no.such.property""#)
        #expect(error?.code == .invalidArgument)
        #expect(error?.isRetriable == false)
        #expect(configuration.properties.isEmpty)
    }

    @Test func invalidValueFailsWithLibrdkafkaText() throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConfiguration(["acks": "banana"])
        }
        #expect(error?.message == #"Invalid value for configuration property "request.required.acks""#)
    }

    @Test func laterValuesReplaceEarlierOnesInOrder() throws {
        var configuration = try KafkaConfiguration(["client.id": "a", "linger.ms": "5"])
        try configuration.set("client.id", "b")
        #expect(configuration.properties.map(\.key) == ["client.id", "linger.ms"])
        #expect(configuration["client.id"] == "b")
        let merged = configuration.merging(try KafkaConfiguration(["linger.ms": "7", "acks": "all"]))
        #expect(merged.properties.map(\.value) == ["b", "7", "all"])
        configuration.remove("client.id")
        #expect(configuration["client.id"] == nil)
    }

    @Test func inconsistentPropertiesFailAtCreationWithLibrdkafkaText() throws {
        // Each value is valid alone; librdkafka rejects the combination in rd_kafka_new.
        let configuration = try KafkaConfiguration(["enable.idempotence": "true", "acks": "1"])
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: configuration, logger: testLogger("producer")) { _ in }
        }
        #expect(error?.message.contains("acks") == true)
        #expect(error?.message.contains("enable.idempotence") == true)
    }

    @Test func consumerRequiresGroupID() throws {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: KafkaConfiguration(), logger: testLogger("consumer")) { _, _ in }
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test func errorCodesRoundTripThroughNames() {
        #expect(KafkaError.Code(name: "NOT_ENOUGH_REPLICAS") == .notEnoughReplicas)
        #expect(KafkaError.Code(name: "RD_KAFKA_RESP_ERR__QUEUE_FULL") == .queueFull)
        #expect(KafkaError.Code(name: "NO_SUCH_ERROR") == nil)
        #expect(KafkaError.Code.partitionEOF.name == "_PARTITION_EOF")
        #expect(KafkaError(code: .notEnoughReplicas).isRetriable)
        #expect(!KafkaError(code: .topicAuthorizationFailed).isRetriable)
        #expect(KafkaError(code: .fatal).isFatal)
    }
}
