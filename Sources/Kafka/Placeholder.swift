public enum KafkaPlaceholder {}
