"""Everything that talks to Kafka directly: the local broker and kafka-python helpers."""
