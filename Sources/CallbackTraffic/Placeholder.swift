public enum TrafficPlaceholder {}
