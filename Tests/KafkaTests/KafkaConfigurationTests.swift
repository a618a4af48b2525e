import Kafka
import Testing

@Suite struct KafkaConfigurationTests {
    @Test func unknownKeyFailsWithLibrdkafkaText() throws {
        var configuration = KafkaConfiguration()
        let error = #expect(throws: KafkaError.self) {
            try configuration.set("no.such.property", "1")
        }
        #expect(error?.message == #"No such configuration property: "no.such.property""#)
        #expect(error?.code == .invalidArgument)
        #expect(configuration.properties.isEmpty)
    }
}
